package io.dataplatform.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestMavenLock {
    @TempDir
    Path directory;

    @Test
    void writtenLockVerifiesTheSameArtifactsAndReadsBack() throws Exception {
        List<MavenLock.Resolved> artifacts = List.of(
                artifact("org.example:engine:1.0:jar", "engine bytes"),
                artifact("org.example:server:1.0:tar.gz", "server bytes"),
                artifact("io.netty:netty-transport-native-epoll:4.2.0:jar:linux-x86_64", "native bytes"));
        Path lock = directory.resolve("maven.lock");
        MavenLock.of(artifacts).write(lock);

        assertThat(Files.readAllLines(lock)).filteredOn(line -> !line.startsWith("#")).containsExactly(
                "io.netty:netty-transport-native-epoll:4.2.0:jar:linux-x86_64 %s 12".formatted(Digests.sha256("native bytes".getBytes())),
                "org.example:engine:1.0:jar %s 12".formatted(Digests.sha256("engine bytes".getBytes())),
                "org.example:server:1.0:tar.gz %s 12".formatted(Digests.sha256("server bytes".getBytes())));
        MavenLock.read(lock).verify(artifacts, "images/x/maven.lock");
    }

    @Test
    void tamperedArtifactFailsNamingItAndBothDigests() throws Exception {
        MavenLock.Resolved engine = artifact("org.example:engine:1.0:jar", "engine bytes");
        Path lock = directory.resolve("maven.lock");
        MavenLock.of(List.of(engine)).write(lock);
        Files.writeString(engine.file(), "engine byteZ");

        assertThatThrownBy(() -> MavenLock.read(lock).verify(List.of(engine), "images/x/maven.lock"))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("Maven artifact org.example:engine:1.0:jar (%s) failed verification".formatted(engine.file()))
                .hasMessageContaining("images/x/maven.lock pins SHA-256 " + Digests.sha256("engine bytes".getBytes()))
                .hasMessageContaining("the file has " + Digests.sha256("engine byteZ".getBytes()));
    }

    @Test
    void unpinnedAndStaleArtifactsAreAllNamed() throws Exception {
        MavenLock.Resolved old = artifact("org.example:driver:1.0:jar", "old");
        MavenLock.Resolved upgraded = artifact("org.example:driver:1.1:jar", "new");
        MavenLock.Resolved kept = artifact("org.example:engine:1.0:jar", "engine");
        Path lock = directory.resolve("maven.lock");
        MavenLock.of(List.of(old, kept)).write(lock);

        assertThatThrownBy(() -> MavenLock.read(lock).verify(List.of(upgraded, kept), "images/x/maven.lock"))
                .hasMessageContaining("images/x/maven.lock does not pin org.example:driver:1.1:jar, which the module uses: run images/refresh-maven-locks")
                .hasMessageContaining("images/x/maven.lock pins org.example:driver:1.0:jar, which the module no longer uses (stale lock)")
                .hasMessageNotContaining("engine");
    }

    @Test
    void missingLockSaysHowToCreateIt() {
        assertThatThrownBy(() -> MavenLock.read(directory.resolve("maven.lock")))
                .hasMessageContaining("maven.lock does not exist")
                .hasMessageContaining("run images/refresh-maven-locks");
    }

    @Test
    void malformedLinesNameFileAndLine() throws Exception {
        Path lock = directory.resolve("maven.lock");
        Files.writeString(lock, "# comment\norg.example:engine:1.0:jar nothex 12\n");
        assertThatThrownBy(() -> MavenLock.read(lock)).hasMessage("maven.lock:2: 'nothex' is not a SHA-256 (64 lower-case hex digits)");
        Files.writeString(lock, "org.example:engine %s 12\n".formatted("a".repeat(64)));
        assertThatThrownBy(() -> MavenLock.read(lock)).hasMessage("maven.lock:1: 'org.example:engine' is not groupId:artifactId:version:type[:classifier]");
        Files.writeString(lock, "org.example:engine:1.0:jar %s\n".formatted("a".repeat(64)));
        assertThatThrownBy(() -> MavenLock.read(lock)).hasMessageStartingWith("maven.lock:1: expected");
        Files.writeString(lock, "org.example:engine:1.0:jar %1$s 1\norg.example:engine:1.0:jar %1$s 1\n".formatted("a".repeat(64)));
        assertThatThrownBy(() -> MavenLock.read(lock)).hasMessage("maven.lock:2: org.example:engine:1.0:jar is pinned twice");
    }

    private MavenLock.Resolved artifact(String coordinates, String content) throws Exception {
        Path file = directory.resolve(coordinates.replace(':', '_'));
        Files.writeString(file, content);
        return new MavenLock.Resolved(coordinates, file);
    }
}
