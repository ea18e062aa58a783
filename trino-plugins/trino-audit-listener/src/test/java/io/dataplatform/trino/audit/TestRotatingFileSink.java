package io.dataplatform.trino.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class TestRotatingFileSink {
    @TempDir
    Path temporary;

    @Test
    void rotatesAndKeepsTheConfiguredHistory() throws IOException {
        Path path = temporary.resolve("logs/audit.log");
        try (RotatingFileSink sink = new RotatingFileSink(path, 25, 2)) {
            for (int i = 1; i <= 7; i++) {
                sink.write("record-" + i + "-xxxxxxxxxx");
            }
        }
        assertThat(Files.readString(path)).isEqualTo("record-7-xxxxxxxxxx\n");
        assertThat(Files.readString(path.resolveSibling("audit.log.1"))).isEqualTo("record-6-xxxxxxxxxx\n");
        assertThat(Files.readString(path.resolveSibling("audit.log.2"))).isEqualTo("record-5-xxxxxxxxxx\n");
        assertThat(path.resolveSibling("audit.log.3")).doesNotExist();
    }

    @Test
    void appendsToAnExistingFile() throws IOException {
        Path path = Files.writeString(temporary.resolve("audit.log"), "earlier\n");
        try (RotatingFileSink sink = new RotatingFileSink(path, 1000, 2)) {
            sink.write("later");
        }
        assertThat(Files.readString(path)).isEqualTo("earlier\nlater\n");
    }
}
