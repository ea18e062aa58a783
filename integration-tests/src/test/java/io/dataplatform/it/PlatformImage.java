package io.dataplatform.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.LoadImageCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;

import static java.util.Objects.requireNonNull;

/**
 * An image this reactor built: read from its module's {@code target/image.json} and loaded into the Docker engine
 * from {@code target/image.tar} unless the engine already holds that exact image id. The engine can pull nothing,
 * so this is the only way images reach it.
 */
public record PlatformImage(String module, String reference, String imageId) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public PlatformImage {
        requireNonNull(module, "module is null");
        requireNonNull(reference, "reference is null");
        requireNonNull(imageId, "imageId is null");
    }

    /** The image of {@code images/<module>}, loaded and ready to run. */
    public static PlatformImage of(String module) {
        Path target = imagesDirectory().resolve(module).resolve("target");
        Path metadata = target.resolve("image.json");
        if (!Files.exists(metadata)) {
            throw new IllegalStateException(metadata + " is missing: build the images first (./mvnw verify builds "
                    + "them before the integration tests)");
        }
        JsonNode json;
        try {
            json = JSON.readTree(metadata.toFile());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PlatformImage image = new PlatformImage(module, json.path("image").asText(), json.path("imageId").asText());
        image.load(target.resolve(json.path("archive").asText("image.tar")));
        return image;
    }

    public DockerImageName name() {
        return DockerImageName.parse(reference);
    }

    public InspectImageResponse inspect() {
        return DockerClientFactory.instance().client().inspectImageCmd(reference).exec();
    }

    private void load(Path archive) {
        DockerClient docker = DockerClientFactory.instance().client();
        try {
            InspectImageResponse existing = docker.inspectImageCmd(reference).exec();
            if (imageId.equals(existing.getId())) {
                return;
            }
        }
        catch (NotFoundException absent) {
            // Not loaded yet.
        }
        // The asynchronous command completes when the engine has loaded the image; the plain one returns when the
        // upload ends, while the engine may still be writing layers (the tag then still names the old image).
        try (InputStream input = Files.newInputStream(archive)) {
            docker.loadImageAsyncCmd(input).exec(new LoadImageCallback()).awaitCompletion(10, TimeUnit.MINUTES);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot load " + archive, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while loading " + archive, e);
        }
        String loaded = docker.inspectImageCmd(reference).exec().getId();
        if (!imageId.equals(loaded)) {
            throw new IllegalStateException("Loaded %s from %s but the engine reports id %s, expected %s"
                    .formatted(reference, archive, loaded, imageId));
        }
    }

    private static Path imagesDirectory() {
        return Path.of(System.getProperty("platform.images.directory", "../images")).toAbsolutePath().normalize();
    }
}
