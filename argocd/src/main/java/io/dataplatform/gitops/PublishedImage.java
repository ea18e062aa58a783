package io.dataplatform.gitops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** One published image, from the {@code jib-image.json} the publish goal wrote: where it is and its digest. */
public record PublishedImage(String repository, String tag, String digest) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    public PublishedImage {
        if (!DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        if (!repository.contains("platform/")) {
            throw new IllegalArgumentException("not a platform image: " + repository);
        }
    }

    /** {@code platform/<image>}: what the tree's images entries name. */
    public String platformRepository() {
        return repository.substring(repository.indexOf("platform/"));
    }

    static PublishedImage read(Path file) {
        try {
            JsonNode json = JSON.readTree(file.toFile());
            String image = json.path("image").asText();
            int colon = image.lastIndexOf(':');
            if (!json.path("imagePushed").asBoolean(false) || colon < 0 || image.indexOf('/', colon) >= 0) {
                throw new IllegalArgumentException(file + ": not a pushed image with a tag: " + json);
            }
            return new PublishedImage(image.substring(0, colon), image.substring(colon + 1),
                    json.path("imageDigest").asText());
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Every {@code images/<module>/target/jib-image.json}. */
    public static List<PublishedImage> readAll(Path imagesDirectory) {
        List<PublishedImage> images = new ArrayList<>();
        try (Stream<Path> modules = Files.list(imagesDirectory)) {
            for (Path module : modules.sorted().toList()) {
                Path file = module.resolve("target/jib-image.json");
                if (Files.isRegularFile(file)) {
                    images.add(read(file));
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot list " + imagesDirectory, e);
        }
        if (images.isEmpty()) {
            throw new IllegalStateException("no jib-image.json under " + imagesDirectory + "/*/target: publish first "
                    + "(ci/publish)");
        }
        return images;
    }
}
