package io.dataplatform.gitops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the reactor builds: repository (without registry, e.g. {@code platform/trino}) → tag (e.g. {@code 476-1}),
 * from every {@code images/<module>/target/image.reference} the image plugin wrote (also under {@code -Dimage.skip}).
 */
public record ReactorImages(Map<String, String> tags) {
    public ReactorImages {
        tags = Map.copyOf(tags);
    }

    public static ReactorImages read(Path imagesDirectory) {
        Map<String, String> tags = new TreeMap<>();
        try (Stream<Path> modules = Files.list(imagesDirectory)) {
            for (Path module : modules.sorted().toList()) {
                Path reference = module.resolve("target/image.reference");
                if (!Files.isRegularFile(reference)) {
                    continue;
                }
                String text = Files.readString(reference).strip();
                int colon = text.lastIndexOf(':');
                String repository = text.substring(0, colon);
                // Without the registry: the tree pins the registry separately (newName), per environment.
                int platform = repository.indexOf("platform/");
                tags.put(platform >= 0 ? repository.substring(platform) : repository, text.substring(colon + 1));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read the reactor's images in " + imagesDirectory, e);
        }
        if (tags.isEmpty()) {
            throw new IllegalStateException("no image.reference under " + imagesDirectory + "/*/target: build the "
                    + "images first (./mvnw package, or -Dimage.skip for the references alone)");
        }
        return new ReactorImages(tags);
    }
}
