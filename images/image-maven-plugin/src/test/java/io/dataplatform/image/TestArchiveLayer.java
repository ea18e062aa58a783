package io.dataplatform.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestArchiveLayer {
    @TempDir
    Path temporary;

    /** The shape of the Trino tarball: plugins share jars through hard links, often to an unselected plugin. */
    @Test
    void selectsEntriesAndKeepsHardLinksEvenWhenTheirTargetIsLeftOut() throws IOException {
        Path archive = temporary.resolve("server-1.tar.gz");
        try (OutputStream file = Files.newOutputStream(archive);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file))) {
            directory(tar, "server-1/");
            file(tar, "server-1/lib/core.jar", "core", 0644);
            file(tar, "server-1/bin/launcher", "#!/bin/sh", 0755);
            file(tar, "server-1/plugin/snowflake/shared.jar", "shared", 0644);
            file(tar, "server-1/plugin/snowflake/snowflake-jdbc.jar", "big", 0644);
            link(tar, "server-1/plugin/iceberg/shared.jar", "server-1/plugin/snowflake/shared.jar");
            link(tar, "server-1/plugin/hive/shared.jar", "server-1/plugin/snowflake/shared.jar");
            link(tar, "server-1/plugin/hive/core.jar", "server-1/lib/core.jar");
        }

        Layer layer = ArchiveLayer.read(archive, 1, List.of("lib/**", "plugin/iceberg/**", "plugin/hive/**"),
                List.of(), "/usr/lib/server", temporary.resolve("staging"));
        Path tar = temporary.resolve("layer.tar");
        LayerTarWriter.write(layer, tar);
        Map<String, TarArchiveEntry> entries = TestLayerTarWriter.read(tar);

        assertThat(entries).doesNotContainKeys("usr/lib/server/bin/launcher",
                "usr/lib/server/plugin/snowflake/snowflake-jdbc.jar", "usr/lib/server/plugin/snowflake/shared.jar");
        TarArchiveEntry promoted = entries.get("usr/lib/server/plugin/iceberg/shared.jar");
        assertThat(promoted.isFile()).isTrue();
        assertThat(promoted.getSize()).isEqualTo("shared".length());
        assertThat(entries.get("usr/lib/server/plugin/hive/shared.jar").getLinkName())
                .isEqualTo("usr/lib/server/plugin/iceberg/shared.jar");
        assertThat(entries.get("usr/lib/server/plugin/hive/core.jar").getLinkName())
                .isEqualTo("usr/lib/server/lib/core.jar");
    }

    @Test
    void anIncludeThatMatchesNothingIsAnError() throws IOException {
        Path archive = temporary.resolve("server-1.tar.gz");
        try (OutputStream file = Files.newOutputStream(archive);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file))) {
            file(tar, "server-1/lib/core.jar", "core", 0644);
        }
        assertThatThrownBy(() -> ArchiveLayer.read(archive, 1, List.of("lib/**", "plugin/opa/**"), List.of(), "/opt",
                temporary.resolve("staging")))
                .hasMessageContaining("Include 'plugin/opa/**' matches nothing");
    }

    private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        tar.putArchiveEntry(new TarArchiveEntry(name));
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, String content, int mode) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        entry.setMode(0100000 | mode);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }
}
