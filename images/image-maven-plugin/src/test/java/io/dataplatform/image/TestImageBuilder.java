package io.dataplatform.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestImageBuilder {
    private static final String CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

    @TempDir
    Path temporary;

    private Path mirror;
    private List<DebianLock.LockedPackage> packages;
    private final List<String> log = new ArrayList<>();

    @BeforeEach
    void createMirror() throws IOException {
        mirror = Files.createDirectories(temporary.resolve("mirror"));
        Path libc = DebFixtures.deb(mirror, "libc6", "2.41-12", "libgcc-s1", Map.of(
                "./usr/lib/x86_64-linux-gnu/libc.so.6", "ELF libc",
                "./usr/lib64/ld-linux-x86-64.so.2", "->../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
        Path gcc = DebFixtures.deb(mirror, "libgcc-s1", "14.2.0-19", "libc6 (>= 2.35)", Map.of(
                "./usr/lib/x86_64-linux-gnu/libgcc_s.so.1", "ELF libgcc"));
        Path certificates = DebFixtures.deb(mirror, "ca-certificates", "20250419", "openssl (>= 1.1.1)", Map.of(
                "./usr/share/ca-certificates/mozilla/B_Root.crt", CERTIFICATE + "B",
                "./usr/share/ca-certificates/mozilla/A_Root.crt", CERTIFICATE + "A\n"));
        packages = List.of(
                DebFixtures.locked(certificates, "ca-certificates", "20250419"),
                DebFixtures.locked(libc, "libc6", "2.41-12"),
                DebFixtures.locked(gcc, "libgcc-s1", "14.2.0-19"));
    }

    @Test
    void buildsADockerArchiveWithPackagesConventionsAndLabels() throws IOException {
        Path output = temporary.resolve("out");
        ImageBuilder.Result result = build(writeLock(packages), output, Optional.empty());

        assertThat(result.reference()).isEqualTo("registry.example:5000/platform/base-os:trixie-7");
        Path archive = output.resolve("image.tar");
        Map<String, TarArchiveEntry> members = TestLayerTarWriter.read(archive);
        assertThat(members).containsKey("manifest.json");

        Path extracted = temporary.resolve("extracted");
        DockerArchive.Image image = DockerArchive.read(archive, extracted);
        JsonNode config = image.config();
        assertThat(config.path("config").path("User").asText()).isEqualTo("1000:1000");
        assertThat(config.path("config").path("Env").toString()).contains("LANG=C.UTF-8");
        assertThat(config.path("config").path("Labels").path("org.opencontainers.image.version").asText())
                .isEqualTo("trixie-7");
        assertThat(config.path("config").path("Labels").path("org.opencontainers.image.created").asText())
                .isEqualTo("1970-01-01T00:00:00Z");
        assertThat(config.path("rootfs").path("diff_ids")).hasSize(2);
        assertThat(result.imageId()).isEqualTo("sha256:" + Digests.sha256(
                DockerArchive.JSON.writeValueAsBytes(config)));

        Map<String, TarArchiveEntry> packagesLayer = TestLayerTarWriter.read(image.layers().get(0));
        assertThat(packagesLayer).containsKeys("usr/lib/x86_64-linux-gnu/libc.so.6",
                "usr/lib/x86_64-linux-gnu/libgcc_s.so.1", "var/lib/dpkg/status.d/libc6");
        assertThat(packagesLayer.get("usr/lib64/ld-linux-x86-64.so.2").isSymbolicLink()).isTrue();

        Map<String, TarArchiveEntry> conventions = TestLayerTarWriter.read(image.layers().get(1));
        assertThat(conventions.get("home/platform/").getLongUserId()).isEqualTo(1000);
        assertThat(conventions.get("bin").getLinkName()).isEqualTo("usr/bin");
        assertThat(conventions.get("var/lib/app/").getLongUserId()).isEqualTo(1000);
        assertThat(conventions.get("var/lib/app/").getMode()).isEqualTo(0750);
        assertThat(tarFile(image.layers().get(1), "etc/passwd"))
                .contains("platform:x:1000:1000:platform:/home/platform:/bin/sh");
        assertThat(tarFile(image.layers().get(1), "etc/ssl/certs/ca-certificates.crt"))
                .isEqualTo(CERTIFICATE + "A\n" + CERTIFICATE + "B\n");
        assertThat(Files.readString(output.resolve("image.json"))).contains(result.imageId());
    }

    @Test
    void twoBuildsGiveTheSameDigests() throws IOException {
        Path lock = writeLock(packages);
        ImageBuilder.Result first = build(lock, temporary.resolve("first"), Optional.empty());
        ImageBuilder.Result second = build(lock, temporary.resolve("second"), Optional.empty());
        assertThat(second.imageId()).isEqualTo(first.imageId());
        assertThat(second.archiveDigest()).isEqualTo(first.archiveDigest());
    }

    @Test
    void anArchivesCopyElsewhereOrLaterGivesTheSameImage() throws IOException {
        // Two machines: the same released archive in two Maven repositories, downloaded at different times.
        Path archive = temporary.resolve("repository-a/server-1.tar.gz");
        Files.createDirectories(archive.getParent());
        try (var file = Files.newOutputStream(archive);
                var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                        new org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream(file))) {
            TarArchiveEntry entry = new TarArchiveEntry("server-1/lib/core.jar");
            byte[] content = "core".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        Path copy = temporary.resolve("repository-b/server-1.tar.gz");
        Files.createDirectories(copy.getParent());
        Files.copy(archive, copy);
        Files.setLastModifiedTime(copy, java.nio.file.attribute.FileTime.fromMillis(86_400_000L));
        ImageBuilder.Result first = new ImageBuilder(log::add).build(archiveImage(archive, temporary.resolve("a")));
        ImageBuilder.Result second = new ImageBuilder(log::add).build(archiveImage(copy, temporary.resolve("b")));
        assertThat(second.imageId()).isEqualTo(first.imageId());
    }

    private static ImageSpec archiveImage(Path archive, Path output) {
        ImageSpec.ImageName name = new ImageSpec.ImageName("registry.example:5000", "platform", "server", "1", "1");
        return new ImageSpec(name, Optional.empty(), Optional.empty(), Optional.empty(),
                new ImageSpec.Conventions(List.of(), List.of(), new TreeMap<>(), Optional.empty(), false, false),
                Optional.empty(),
                List.of(new ImageSpec.ArchivePart(archive, 1, List.of("lib/**"), List.of(), "/usr/lib/server")),
                List.of(),
                new ImageSpec.RuntimeConfig(new TreeMap<>(), new TreeMap<>(), Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty(), List.of()),
                output.resolve("work"), output.resolve("layer-cache"), output.resolve("image.tar"),
                output.resolve("image.json"));
    }

    @Test
    void aTamperedPackageFailsTheBuildAndWritesNoImage() throws IOException {
        DebianLock.LockedPackage libc = packages.get(1);
        List<DebianLock.LockedPackage> tampered = new ArrayList<>(packages);
        tampered.set(1, new DebianLock.LockedPackage(libc.name(), libc.version(), libc.architecture(),
                "0".repeat(64), libc.size(), libc.url()));
        Path output = temporary.resolve("out");
        assertThatThrownBy(() -> build(writeLock(tampered), output, Optional.empty()))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("Debian package libc6 2.41-12 failed verification")
                .hasMessageContaining("the lock pins SHA-256 " + "0".repeat(64));
        assertNoImage(output);
    }

    @Test
    void aPackageGoneFromTheMirrorIsNamed() throws IOException {
        Files.delete(Path.of(java.net.URI.create(packages.get(2).url())));
        Path output = temporary.resolve("out");
        assertThatThrownBy(() -> build(writeLock(packages), output, Optional.empty()))
                .hasMessageContaining("Debian package libgcc-s1 14.2.0-19 is missing from the mirror")
                .hasMessageContaining("run the refresh command");
        assertNoImage(output);
    }

    @Test
    void aPackageRemovedFromTheLockIsNamed() throws IOException {
        Path output = temporary.resolve("out");
        assertThatThrownBy(() -> build(writeLock(packages.subList(0, 2)), output, Optional.empty()))
                .hasMessageContaining("is missing a package: libc6 2.41-12 depends on 'libgcc-s1'");
        assertNoImage(output);
    }

    @Test
    void aStaleLockIsRejected() throws IOException {
        DebianLock lock = new DebianLock("trixie", "amd64", List.of("libc6"), List.of("openssl"), packages);
        Path file = temporary.resolve("stale.lock");
        lock.write(file, "refresh");
        Path output = temporary.resolve("out");
        assertThatThrownBy(() -> build(file, output, Optional.empty())).hasMessageContaining("is stale");
        assertNoImage(output);
    }

    @Test
    void anImageExtendsItsBase() throws IOException {
        Path baseOutput = temporary.resolve("base");
        ImageBuilder.Result base = build(writeLock(packages), baseOutput, Optional.empty());
        Path tree = Files.createDirectories(temporary.resolve("app/bin"));
        Files.writeString(tree.resolve("run"), "#!/bin/sh\n");

        Path output = Files.createDirectories(temporary.resolve("child"));
        ImageSpec child = new ImageSpec(
                new ImageSpec.ImageName("", "platform", "app", "1.0", "1"),
                Optional.of(baseOutput.resolve("image.tar")),
                Optional.empty(),
                Optional.empty(),
                ImageSpec.Conventions.none(),
                Optional.empty(),
                List.of(),
                List.of(new ImageSpec.TreePart(temporary.resolve("app"), "/opt/app")),
                new ImageSpec.RuntimeConfig(new TreeMap<>(Map.of("APP_HOME", "/opt/app")), new TreeMap<>(),
                        Optional.empty(), Optional.empty(), Optional.of(List.of("/opt/app/bin/run")), Optional.empty(),
                        Optional.of(List.of("/opt/app/bin/run", "--check")), List.of("8080")),
                output.resolve("work"), output.resolve("layer-cache"), output.resolve("image.tar"),
                output.resolve("image.json"));
        ImageBuilder.Result result = new ImageBuilder(log::add).build(child);

        DockerArchive.Image image = DockerArchive.read(output.resolve("image.tar"), temporary.resolve("read"));
        assertThat(image.layers()).hasSize(3);
        JsonNode config = image.config().path("config");
        assertThat(config.path("Env").toString()).contains("APP_HOME=/opt/app").contains("LANG=C.UTF-8");
        assertThat(config.path("User").asText()).isEqualTo("1000:1000");
        assertThat(config.path("Healthcheck").path("Test").toString()).contains("--check");
        // Its own entrypoint, so not the base's command (/bin/sh) as its arguments.
        assertThat(config.path("Entrypoint").toString()).isEqualTo("[\"/opt/app/bin/run\"]");
        assertThat(config.path("Cmd").isNull()).isTrue();
        assertThat(config.path("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(image.config().path("rootfs").path("diff_ids").get(0).asText())
                .isEqualTo(base.layers().get(0).diffId());
        assertThat(result.layers()).hasSize(1);
    }

    @Test
    void anOverlayAddsAnotherImagesOwnLayersAndKeepsItsEntrypoint() throws IOException {
        Path baseOutput = temporary.resolve("base");
        ImageBuilder.Result base = build(writeLock(packages), baseOutput, Optional.empty());
        Path spark = child("spark", baseOutput.resolve("image.tar"), Optional.empty(),
                Map.of("SPARK_HOME", "/opt/spark", "LANG", "C.UTF-8"), List.of("java", "-cp", "/opt/spark/*", "Main"));
        Path airflow = child("airflow", baseOutput.resolve("image.tar"), Optional.empty(),
                Map.of("AIRFLOW_HOME", "/opt/airflow"), List.of("airflow-launcher"));
        Path task = child("task", airflow, Optional.of(new ImageSpec.OverlayPart(spark, "SPARK_ENTRYPOINT")),
                Map.of(), null);

        DockerArchive.Image sparkImage = DockerArchive.read(spark, temporary.resolve("read-spark"));
        DockerArchive.Image image = DockerArchive.read(task, temporary.resolve("read-task"));
        List<String> ids = new ArrayList<>();
        image.config().path("rootfs").path("diff_ids").forEach(id -> ids.add(id.asText()));
        List<String> sparkIds = new ArrayList<>();
        sparkImage.config().path("rootfs").path("diff_ids").forEach(id -> sparkIds.add(id.asText()));
        // base (2) + airflow's tree + spark's tree (the very layer of the Spark image) + task's own tree.
        assertThat(ids).hasSize(base.layers().size() + 3);
        assertThat(ids.get(base.layers().size() + 1)).isEqualTo(sparkIds.getLast());
        assertThat(image.config().path("history")).hasSize(ids.size());
        JsonNode config = image.config().path("config");
        assertThat(config.path("Env").toString()).contains("SPARK_HOME=/opt/spark", "AIRFLOW_HOME=/opt/airflow",
                "SPARK_ENTRYPOINT=[\\\"java\\\",\\\"-cp\\\",\\\"/opt/spark/*\\\",\\\"Main\\\"]");
        assertThat(config.path("Entrypoint").toString()).isEqualTo("[\"airflow-launcher\"]");
    }

    @Test
    void anOverlayMustShareTheBaseAndNotContradictItsEnvironment() throws IOException {
        Path baseOutput = temporary.resolve("base");
        build(writeLock(packages), baseOutput, Optional.empty());
        Path other = child("other", baseOutput.resolve("image.tar"), Optional.empty(), Map.of("LANG", "C"),
                List.of("x"));
        assertThatThrownBy(() -> child("task", baseOutput.resolve("image.tar"),
                Optional.of(new ImageSpec.OverlayPart(other, "X")), Map.of(), null))
                .hasMessageContaining("The overlay image.tar sets LANG=C, the base image LANG=C.UTF-8");
        Path unrelated = child("unrelated", null, Optional.empty(), Map.of(), List.of("x"));
        assertThatThrownBy(() -> child("task2", baseOutput.resolve("image.tar"),
                Optional.of(new ImageSpec.OverlayPart(unrelated, "X")), Map.of(), null))
                .hasMessageContaining("shares no base layer with");
        assertThat(temporary.resolve("task/image.tar")).doesNotExist();
    }

    /** An image of one tree (a file named after it) on {@code base}; returns its archive. */
    private Path child(String name, Path base, Optional<ImageSpec.OverlayPart> overlay, Map<String, String> env,
            List<String> entrypoint) throws IOException {
        Path tree = Files.createDirectories(temporary.resolve("trees/" + name));
        Files.writeString(tree.resolve(name + ".txt"), name + "\n");
        Path output = Files.createDirectories(temporary.resolve(name));
        ImageSpec spec = new ImageSpec(
                new ImageSpec.ImageName("", "platform", name, "1.0", "1"),
                Optional.ofNullable(base),
                overlay,
                Optional.empty(),
                ImageSpec.Conventions.none(),
                Optional.empty(),
                List.of(),
                List.of(new ImageSpec.TreePart(tree, "/opt/" + name)),
                new ImageSpec.RuntimeConfig(new TreeMap<>(env), new TreeMap<>(), Optional.empty(), Optional.empty(),
                        Optional.ofNullable(entrypoint), Optional.empty(), Optional.empty(), List.of()),
                output.resolve("work"), output.resolve("layer-cache"), output.resolve("image.tar"),
                output.resolve("image.json"));
        new ImageBuilder(log::add).build(spec);
        return output.resolve("image.tar");
    }

    private ImageBuilder.Result build(Path lock, Path output, Optional<Path> base) throws IOException {
        Files.createDirectories(output);
        ImageSpec.ImageName name = new ImageSpec.ImageName("registry.example:5000", "platform", "base-os", "trixie",
                "7");
        TreeMap<String, String> links = new TreeMap<>(Map.of("bin", "usr/bin"));
        ImageSpec spec = new ImageSpec(
                name,
                base,
                Optional.empty(),
                Optional.of(new ImageSpec.DebianPart(lock, temporary.resolve("cache"), List.of(),
                        List.of("ca-certificates", "libc6"), List.of("openssl"))),
                new ImageSpec.Conventions(List.of(new ImageSpec.User("platform", 1000, "/home/platform", "/bin/sh")),
                        List.of(new ImageSpec.OwnedDirectory("/var/lib/app", 1000, 0750)),
                        links, Optional.empty(), true, true),
                Optional.empty(),
                List.of(),
                List.of(),
                new ImageSpec.RuntimeConfig(new TreeMap<>(Map.of("LANG", "C.UTF-8")),
                        new TreeMap<>(ImageSpec.ociLabels(name, "base", "https://git.example/platform")),
                        Optional.of("1000:1000"), Optional.of("/home/platform"), Optional.empty(),
                        Optional.of(List.of("/bin/sh")), Optional.empty(), List.of()),
                output.resolve("work"), output.resolve("layer-cache"), output.resolve("image.tar"),
                output.resolve("image.json"));
        return new ImageBuilder(log::add).build(spec);
    }

    private Path writeLock(List<DebianLock.LockedPackage> lockedPackages) throws IOException {
        DebianLock lock = new DebianLock("trixie", "amd64", List.of("ca-certificates", "libc6"), List.of("openssl"),
                lockedPackages);
        Path file = Files.createTempFile(temporary, "debian", ".lock");
        lock.write(file, "refresh");
        return file;
    }

    private static void assertNoImage(Path output) throws IOException {
        try (var files = Files.list(output)) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .noneMatch(name -> name.startsWith("image."));
        }
    }

    private static String tarFile(Path tar, String name) throws IOException {
        try (var input = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                Files.newInputStream(tar))) {
            for (TarArchiveEntry entry = input.getNextEntry(); entry != null; entry = input.getNextEntry()) {
                if (entry.getName().equals(name)) {
                    return new String(input.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError(name + " not in " + tar);
    }
}
