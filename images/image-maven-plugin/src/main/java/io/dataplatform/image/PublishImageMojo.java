package io.dataplatform.image;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.registry.ManifestAndDigest;
import com.google.cloud.tools.jib.registry.RegistryClient;
import java.util.Optional;
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
 *
 * <p>A published tag never moves: before pushing, the image Jib would push is assembled locally (the tarball Jib
 * writes from the same layers gives the same manifest digest) and compared with what the registry already serves
 * under the tag. Another digest there stops the build and names the tag; pushing the same image again is a no-op.
 * Bound to {@code package}, right after {@code build}, so publishing needs no phase (and no plugin) beyond it.
 */
@Mojo(name = "publish", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
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
            Optional<Credential> credential = credential();
            credential.ifPresent(value -> target.addCredential(value.getUsername(), value.getPassword()));
            long start = System.nanoTime();
            DescriptorDigest candidate = candidateDigest(reference);
            Optional<DescriptorDigest> published = publishedDigest(ImageReference.parse(reference), credential);
            if (published.isPresent() && !published.get().equals(candidate)) {
                throw new MojoFailureException(("%s is already published as %s, and this build made %s: a published "
                        + "tag never moves. Bump platform.revision in the root pom.xml to publish the changed image "
                        + "under a new tag.").formatted(reference, published.get(), candidate));
            }
            JibContainer pushed = Jib.from(TarImage.at(archive.toPath()))
                    .containerize(containerizer(Containerizer.to(target)));
            if (!pushed.getDigest().equals(candidate)) {
                throw new MojoExecutionException("Jib pushed %s as %s, not the %s it assembled beforehand"
                        .formatted(reference, pushed.getDigest(), candidate));
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("image", reference);
            result.put("imageId", pushed.getImageId().toString());
            result.put("imageDigest", pushed.getDigest().toString());
            result.put("tags", List.copyOf(pushed.getTags()));
            result.put("imagePushed", pushed.isImagePushed());
            result.put("alreadyPublished", published.isPresent());
            result.put("sourceRevision", built.path("sourceRevision").asText(GitRevision.UNKNOWN));
            Files.writeString(output.toPath(), JSON.writeValueAsString(result) + "\n");
            getLog().info("Published %s@%s in %.1f s%s".formatted(reference, pushed.getDigest(),
                    (System.nanoTime() - start) / 1e9, published.isPresent() ? " (already there, unchanged)" : ""));
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

    private Containerizer containerizer(Containerizer containerizer) {
        Path cache = output.toPath().resolveSibling("jib-cache");
        return containerizer.setAllowInsecureRegistries(allowInsecureRegistries)
                .setToolName("platform-image-publish")
                .setBaseImageLayersCache(cache)
                .setApplicationLayersCache(cache);
    }

    /** The manifest digest Jib will push: assembled into a local tarball from the same (cached) layers. */
    private DescriptorDigest candidateDigest(String reference) throws InvalidImageReferenceException, IOException,
            InterruptedException, RegistryException, ExecutionException, CacheDirectoryCreationException {
        Path tarball = output.toPath().resolveSibling("jib-candidate.tar");
        try {
            return Jib.from(TarImage.at(archive.toPath()))
                    .containerize(containerizer(Containerizer.to(TarImage.at(tarball).named(reference))))
                    .getDigest();
        }
        finally {
            Files.deleteIfExists(tarball);
        }
    }

    /** The digest the registry serves under the image's tag, if any. */
    private Optional<DescriptorDigest> publishedDigest(ImageReference image, Optional<Credential> credential)
            throws IOException, RegistryException {
        FailoverHttpClient http = new FailoverHttpClient(allowInsecureRegistries, false, event -> {});
        try {
            RegistryClient.Factory factory = RegistryClient.factory(EventHandlers.NONE, image.getRegistry(),
                    image.getRepository(), http);
            credential.ifPresent(factory::setCredential);
            RegistryClient client = factory.newRegistryClient();
            if (!client.doPullBearerAuth() && credential.isPresent()) {
                client.configureBasicAuth();
            }
            return client.checkManifest(image.getQualifier()).map(ManifestAndDigest::getDigest);
        }
        finally {
            http.shutDown();
        }
    }

    private static Optional<Credential> credential() {
        String username = System.getenv("PLATFORM_REGISTRY_USERNAME");
        if (username == null || username.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(Credential.from(username, System.getenv().getOrDefault("PLATFORM_REGISTRY_PASSWORD", "")));
    }
}
