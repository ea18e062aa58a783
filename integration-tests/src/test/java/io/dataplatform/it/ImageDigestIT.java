package io.dataplatform.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.dataplatform.it.RepositoryCopy.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An image's digest depends on what goes into it and on nothing else. A second clean build, in a copy of this
 * repository whose last commit changes only the README, gives every affordable image the digest this build gave it
 * (reproducible, and independent of the commit); a changed input of one image changes that image alone.
 *
 * <p>The affordable images are the bases and the small services (a minute for all five); Trino, Hadoop and Spark
 * write hundreds of megabytes each and are checked by {@code ci/check-reproducible}.
 */
class ImageDigestIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> IMAGES = List.of("base-os", "jre-25", "jre-17", "kdc", "postgres");

    @TempDir
    Path temporary;

    @Test
    void digestsFollowTheImageInputsNotTheCommit() throws Exception {
        Path repository = RepositoryCopy.repository();
        Path copy = RepositoryCopy.of(repository, temporary.resolve("platform"));
        git(copy, "init", "-q");
        git(copy, "add", "-A");
        git(copy, "commit", "-q", "-m", "The tree of the outer build");
        Files.writeString(copy.resolve("README.md"), Files.readString(copy.resolve("README.md")) + "\nA README edit.\n");
        git(copy, "commit", "-q", "-am", "Only the README");
        String head = git(copy, "rev-parse", "HEAD").strip();

        RepositoryCopy.Run build = RepositoryCopy.maven(copy, "package", "-DskipTests",
                "-pl", "images/image-maven-plugin," + String.join(",", IMAGES.stream().map(image -> "images/" + image).toList()));
        assertThat(build.status()).as(build.output()).isZero();

        for (String image : IMAGES) {
            JsonNode outer = metadata(repository, image);
            JsonNode again = metadata(copy, image);
            assertThat(again.path("imageId").asText()).as(image).isEqualTo(outer.path("imageId").asText());
            assertThat(again.path("archiveDigest").asText()).as(image).isEqualTo(outer.path("archiveDigest").asText());
            // The commit is recorded beside the image, not in it.
            assertThat(again.path("sourceRevision").asText()).as(image).isEqualTo(head);
        }

        // One input of the KDC image changes: its digest changes; the base it stands on keeps its own.
        Path entrypoint = copy.resolve("images/kdc/src/main/rootfs/usr/local/bin/kdc-entrypoint");
        Files.writeString(entrypoint, Files.readString(entrypoint) + "# a changed input\n");
        RepositoryCopy.Run rebuilt = RepositoryCopy.maven(copy, "package", "-DskipTests",
                "-pl", "images/image-maven-plugin,images/base-os,images/kdc");
        assertThat(rebuilt.status()).as(rebuilt.output()).isZero();
        assertThat(metadata(copy, "kdc").path("imageId").asText())
                .isNotEqualTo(metadata(repository, "kdc").path("imageId").asText());
        assertThat(metadata(copy, "base-os").path("imageId").asText())
                .isEqualTo(metadata(repository, "base-os").path("imageId").asText());
    }

    private static JsonNode metadata(Path repository, String image) throws IOException {
        return JSON.readTree(repository.resolve("images").resolve(image).resolve("target/image.json").toFile());
    }

    private static String git(Path directory, String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-c", "user.name=Platform test",
                "-c", "user.email=platform-test@example.invalid", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(arguments));
        RepositoryCopy.Run result = run(directory, command.toArray(String[]::new));
        assertThat(result.status()).as(result.output()).isZero();
        return result.output();
    }
}
