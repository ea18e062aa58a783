package io.dataplatform.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestDebianLock {
    @TempDir
    Path temporary;

    @Test
    void roundTrips() throws IOException {
        DebianLock lock = new DebianLock("trixie", "amd64", List.of("libc6"), List.of("debconf"), List.of(
                new DebianLock.LockedPackage("libc6", "2.41-12", "amd64", "ab".repeat(32), 42,
                        "https://deb.debian.org/debian/pool/main/g/glibc/libc6_2.41-12_amd64.deb")));
        Path file = temporary.resolve("debian.lock");
        lock.write(file, "refresh");
        assertThat(DebianLock.read(file)).isEqualTo(lock);
        assertThat(Files.readString(file)).contains("# Refresh (security updates, new packages): refresh");
    }

    @Test
    void malformedLinesAreReportedWithFileAndLine() throws IOException {
        Path file = temporary.resolve("debian.lock");
        Files.writeString(file, "suite trixie amd64\npackage libc6 2.41 amd64 not-a-checksum 42 https://x\n");
        assertThatThrownBy(() -> DebianLock.read(file))
                .hasMessageContaining(file + ":2: package libc6: 'not-a-checksum' is not a SHA-256");

        Files.writeString(file, "suite trixie amd64\npackage libc6 2.41\n");
        assertThatThrownBy(() -> DebianLock.read(file)).hasMessageContaining(file + ":2: expected 'package <name>");

        Files.writeString(file, "suite trixie amd64\npakage libc6\n");
        assertThatThrownBy(() -> DebianLock.read(file)).hasMessageContaining(file + ":2: unknown line 'pakage'");

        assertThatThrownBy(() -> DebianLock.read(temporary.resolve("absent.lock")))
                .hasMessageContaining("does not exist; create it with the refresh command");
    }
}
