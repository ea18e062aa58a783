package io.dataplatform.trino.groups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.airlift.units.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestFileGroupProvider {
    @TempDir
    Path temporary;

    @Test
    void rereadsTheFileWhenItChanges() throws IOException {
        Path file = Files.writeString(temporary.resolve("groups.txt"), "analysts: alice\n");
        FileGroupProvider provider = provider(file);
        assertThat(provider.getGroups("alice")).containsExactly("analysts");

        Files.writeString(file, "analysts: alice\nadmins: alice\n");
        assertThat(provider.getGroups("alice")).containsExactlyInAnyOrder("analysts", "admins");
        assertThat(provider.getReloads()).isEqualTo(1);
    }

    @Test
    void aMalformedFileKeepsTheLastGoodMapping() throws IOException {
        Path file = Files.writeString(temporary.resolve("groups.txt"), "analysts: alice\n");
        FileGroupProvider provider = provider(file);

        Files.writeString(file, "analysts alice\n");
        assertThat(provider.getGroups("alice")).containsExactly("analysts");
        assertThat(provider.getReloadFailures()).isEqualTo(1);
        // The same bad content is reported once, not on every query.
        assertThat(provider.getGroups("alice")).containsExactly("analysts");
        assertThat(provider.getReloadFailures()).isEqualTo(1);

        Files.delete(file);
        assertThat(provider.getGroups("alice")).containsExactly("analysts");

        Files.writeString(file, "analysts: bob\n");
        assertThat(provider.getGroups("alice")).isEmpty();
        assertThat(provider.getGroups("bob")).containsExactly("analysts");
    }

    @Test
    void aBadFileAtStartFailsClearly() throws IOException {
        assertThatThrownBy(() -> provider(temporary.resolve("absent.txt")))
                .hasMessageContaining("Cannot read groups file " + temporary.resolve("absent.txt"));
        Path file = Files.writeString(temporary.resolve("groups.txt"), "ok: a\nBAD: b\n");
        assertThatThrownBy(() -> provider(file)).hasMessageContaining(file + ":2: 'BAD' is not a valid group name");
    }

    private static FileGroupProvider provider(Path file) {
        return new FileGroupProvider(new FileGroupProviderConfig()
                .setGroupsFile(file.toFile())
                .setRefreshPeriod(new Duration(1, TimeUnit.NANOSECONDS)));
    }
}
