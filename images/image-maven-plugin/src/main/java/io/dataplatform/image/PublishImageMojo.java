package io.dataplatform.image;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.RegistryException;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Pushes the image this module built ({@code target/image.tar}, named with {@code platform.registry}) with Jib to
 * its registry, unchanged, and writes {@code target/jib-image.json} (image, imageId, imageDigest, tags,
 * imagePushed) — what {@code ci/bump-pins} turns into Argo CD pins. Nothing is pulled. Registry credentials, when
 * needed, come from {@code PLATFORM_REGISTRY_USERNAME} / {@code PLATFORM_REGISTRY_PASSWORD}.
 */
@Mojo(name = "publish", defaultPhase = LifecyclePhase.INSTALL, threadSafe = true)
public class PublishImageMojo extends AbstractMojo {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Parameter(property = "platform.registry")
    private String registry;

    /** Plain HTTP (a registry on 127.0.0.1 in tests); never for a real registry. */
    @Parameter(property = "image.allowInsecureRegistries", defaultValue = "false")
    private boolean allowInsecureRegistries;

    @Parameter(defaultValue = "${project.build.directory}/image.tar")
    private File archive;

    @Parameter(defaultValue = "${project.build.directory}/image.json")
    private File metadata;

    @Parameter(defaultValue = "${project.build.directory}/jib-image.json")
    private File output;

    @Parameter(property = "image.skip", defaultValue = "false")
    private boolean skip;

    /** Off by default: a build publishes only when asked (ci/publish). */
    @Parameter(property = "image.publish", defaultValue = "false")
    private boolean publish;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip || !publish) {
            getLog().debug("Not publishing (image.publish is false, or image.skip)");
            return;
        }
        if (registry == null || registry.isBlank()) {
            throw new MojoFailureException("Publishing needs a registry: -Dplatform.registry=host[:port][/path]");
        }
        if (!archive.isFile() || !metadata.isFile()) {
            throw new MojoFailureException(archive + " is missing: build the image first (package)");
        }
        try {
            JsonNode built = JSON.readTree(metadata);
            String reference = built.path("image").asText();
            if (!reference.startsWith(registry.replaceAll("/+$", "") + "/")) {
                throw new MojoFailureException(("%s was built as %s, not for %s: rebuild with the same "
                        + "-Dplatform.registry").formatted(archive, reference, registry));
            }
            RegistryImage target = RegistryImage.named(reference);
            String username = System.getenv("PLATFORM_REGISTRY_USERNAME");
            if (username != null && !username.isBlank()) {
                target.addCredential(username, System.getenv().getOrDefault("PLATFORM_REGISTRY_PASSWORD", ""));
            }
            long start = System.nanoTime();
            JibContainer pushed = Jib.from(TarImage.at(archive.toPath()))
                    .containerize(Containerizer.to(target)
                            .setAllowInsecureRegistries(allowInsecureRegistries)
                            .setToolName("platform-image-publish")
                            .setBaseImageLayersCache(output.toPath().resolveSibling("jib-cache"))
                            .setApplicationLayersCache(output.toPath().resolveSibling("jib-cache")));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("image", reference);
            result.put("imageId", pushed.getImageId().toString());
            result.put("imageDigest", pushed.getDigest().toString());
            result.put("tags", List.copyOf(pushed.getTags()));
            result.put("imagePushed", pushed.isImagePushed());
            Files.writeString(output.toPath(), JSON.writeValueAsString(result) + "\n");
            getLog().info("Published %s@%s in %.1f s".formatted(reference, pushed.getDigest(),
                    (System.nanoTime() - start) / 1e9));
        }
        catch (InvalidImageReferenceException e) {
            throw new MojoFailureException("Not an image reference: " + e.getMessage(), e);
        }
        catch (RegistryException | ExecutionException e) {
            throw new MojoFailureException("Pushing to " + registry + " failed: " + e.getMessage(), e);
        }
        catch (IOException | CacheDirectoryCreationException e) {
            throw new MojoExecutionException("Cannot publish " + archive + ": " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("Interrupted", e);
        }
    }
}
