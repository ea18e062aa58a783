package io.dataplatform.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestLayerTarWriter {
    @TempDir
    Path temporary;

    @Test
    void readsBackWhatWasWritten() throws IOException {
        Layer layer = new Layer("test");
        layer.addFile("usr/bin/tool", 0755, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        layer.addHardLink("usr/bin/tool-alias", "usr/bin/tool");
        layer.addSymlink("bin", "usr/bin");
        layer.addSymlink("etc/localtime", "/usr/share/zoneinfo/Etc/UTC");
        layer.addDirectory("home/platform", 0750, 1000, 1000);
        layer.addDirectory("tmp", 01777, 0, 0);
        String longName = "opt/" + "very-long-directory-name/".repeat(8) + "file-with-a-long-name.txt";
        String longTarget = "/" + "x".repeat(150);
        layer.addFile(longName, 0644, "long".getBytes(StandardCharsets.UTF_8));
        layer.addSymlink("opt/long-link", longTarget);

        Path tar = temporary.resolve("layer.tar");
        LayerTarWriter.Blob blob = LayerTarWriter.write(layer, tar);
        assertThat(blob.size()).isEqualTo(Files.size(tar));
        assertThat(blob.sha256()).isEqualTo(Digests.sha256(tar));

        Map<String, TarArchiveEntry> entries = read(tar);
        assertThat(entries).containsKeys("usr/", "usr/bin/", "usr/bin/tool", "home/", "home/platform/", "opt/");
        assertThat(entries.get("usr/bin/tool").getMode()).isEqualTo(0755);
        assertThat(entries.get("usr/bin/tool-alias").isLink()).isTrue();
        assertThat(entries.get("usr/bin/tool-alias").getLinkName()).isEqualTo("usr/bin/tool");
        assertThat(entries.get("bin").isSymbolicLink()).isTrue();
        assertThat(entries.get("bin").getLinkName()).isEqualTo("usr/bin");
        assertThat(entries.get("etc/localtime").getLinkName()).isEqualTo("/usr/share/zoneinfo/Etc/UTC");
        assertThat(entries.get("home/platform/").getLongUserId()).isEqualTo(1000);
        assertThat(entries.get("home/platform/").getMode()).isEqualTo(0750);
        assertThat(entries.get("tmp/").getMode()).isEqualTo(01777);
        assertThat(entries.get(longName).getSize()).isEqualTo(4);
        assertThat(entries.get("opt/long-link").getLinkName()).isEqualTo(longTarget);
        assertThat(entries.values()).allSatisfy(entry -> {
            assertThat(entry.getModTime().getTime()).isZero();
            assertThat(entry.getUserName()).isEmpty();
        });
    }

    @Test
    void sameLayerGivesSameBytes() throws IOException {
        Path first = temporary.resolve("first.tar");
        Path second = temporary.resolve("second.tar");
        assertThat(LayerTarWriter.write(sampleTree(), first)).isEqualTo(LayerTarWriter.write(sampleTree(), second));
        assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
    }

    @Test
    void treeKeepsHardLinksOnceAndSymlinksAsLinks() throws IOException {
        Path root = Files.createDirectories(temporary.resolve("tree/lib"));
        Path jar = Files.writeString(root.resolve("a.jar"), "jar content");
        Files.createLink(temporary.resolve("tree/lib/b.jar"), jar);
        Files.createSymbolicLink(temporary.resolve("tree/current"), Path.of("lib"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rwxr-x---"));

        Layer layer = new Layer("tree");
        layer.addTree(temporary.resolve("tree"), "/usr/lib/app");

        Map<String, TarArchiveEntry> entries = read(writeTo(layer));
        TarArchiveEntry a = entries.get("usr/lib/app/lib/a.jar");
        TarArchiveEntry b = entries.get("usr/lib/app/lib/b.jar");
        assertThat(a.isLink() || b.isLink()).as("one of the two names is a hard link").isTrue();
        assertThat(a.getSize() + b.getSize()).isEqualTo("jar content".length());
        assertThat((a.isLink() ? b : a).getMode()).isEqualTo(0750);
        assertThat(entries.get("usr/lib/app/current").isSymbolicLink()).isTrue();
        assertThat(entries.get("usr/lib/app/current").getLinkName()).isEqualTo("lib");
    }

    @Test
    void rejectsPathsOutsideTheRootAndDanglingHardLinks() {
        Layer layer = new Layer("test");
        assertThatThrownBy(() -> layer.addFile("usr/../../etc/passwd", 0644, new byte[0]))
                .hasMessageContaining("escapes the image root");
        assertThatThrownBy(() -> layer.addHardLink("a", "missing"))
                .hasMessageContaining("hard link a points to missing");
    }

    private static Layer sampleTree() {
        Layer layer = new Layer("sample");
        for (int i = 0; i < 50; i++) {
            layer.addFile("data/file-" + i, 0644, ("content " + i).getBytes(StandardCharsets.UTF_8));
        }
        layer.addSymlink("data/latest", "file-49");
        return layer;
    }

    private Path writeTo(Layer layer) throws IOException {
        Path tar = Files.createTempFile(temporary, "layer", ".tar");
        LayerTarWriter.write(layer, tar);
        return tar;
    }

    static Map<String, TarArchiveEntry> read(Path tar) throws IOException {
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream input = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (TarArchiveEntry entry = input.getNextEntry(); entry != null; entry = input.getNextEntry()) {
                entries.put(entry.getName(), entry);
            }
        }
        return entries;
    }
}
