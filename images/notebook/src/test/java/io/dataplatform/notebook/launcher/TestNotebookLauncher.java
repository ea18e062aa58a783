package io.dataplatform.notebook.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.dataplatform.launcher.StartProblems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestNotebookLauncher {
    private static final Map<String, String> FROM_THE_HUB = Map.of(
            "JUPYTERHUB_API_TOKEN", "abc123",
            "JUPYTERHUB_API_URL", "http://jupyterhub-api.platform.svc:8081/hub/api",
            "JUPYTERHUB_USER", "alice",
            "JUPYTERHUB_SERVICE_PREFIX", "/user/alice/");

    @TempDir
    Path directory;

    @Test
    void theServerIsTheHubsSingleUserServer() {
        NotebookLauncher.Plan plan = NotebookLauncher.plan(new String[] {"server", "--debug"}, FROM_THE_HUB);
        assertThat(plan.command()).containsExactly(NotebookLauncher.SINGLE_USER, "--debug");
        assertThat(NotebookLauncher.plan(new String[0], FROM_THE_HUB).role()).isEqualTo(NotebookLauncher.Role.SERVER);
    }

    @Test
    void aServerNotStartedByTheHubIsRefusedWithEveryMissingSettingNamed() {
        assertThatThrownBy(() -> NotebookLauncher.plan(new String[] {"server"}, Map.of("JUPYTERHUB_USER", "a/b")))
                .isInstanceOf(StartProblems.class)
                .satisfies(e -> assertThat(((StartProblems) e).problems()).hasSize(4)
                        .anySatisfy(problem -> assertThat(problem).contains("JUPYTERHUB_API_TOKEN is not set"))
                        .anySatisfy(problem -> assertThat(problem).contains("JUPYTERHUB_USER"))
                        .noneSatisfy(problem -> assertThat(problem).contains("abc123")));
    }

    @Test
    void cliRunsTheCommandAndNeedsOne() {
        assertThat(NotebookLauncher.plan(new String[] {"cli", "python3", "--version"}, Map.of()).command())
                .containsExactly("python3", "--version");
        assertThatThrownBy(() -> NotebookLauncher.plan(new String[] {"cli"}, Map.of()))
                .hasMessageContaining("name the command to run");
        assertThatThrownBy(() -> NotebookLauncher.plan(new String[] {"lab"}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lab");
    }

    @Test
    void tutorialsAreCopiedOnceAndAUsersEditIsKept() throws Exception {
        Path source = Files.createDirectories(directory.resolve("image/tutorials"));
        Files.writeString(source.resolve("01-sql.ipynb"), "{}");
        Files.writeString(Files.createDirectories(source.resolve("data")).resolve("cells.csv"), "a,b\n");
        Path home = directory.resolve("home/tutorials");
        assertThat(NotebookLauncher.copyTutorials(source, home)).isEqualTo(2);
        Files.writeString(home.resolve("01-sql.ipynb"), "{\"edited\": true}");
        assertThat(NotebookLauncher.copyTutorials(source, home)).isZero();
        assertThat(home.resolve("01-sql.ipynb")).hasContent("{\"edited\": true}");
        assertThat(NotebookLauncher.copyTutorials(directory.resolve("none"), home)).isZero();
    }
}
