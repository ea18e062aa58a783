package io.dataplatform.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestLauncher {
    enum Role { NAMENODE, DATANODE, JOURNALNODE, API_SERVER }

    @TempDir
    Path directory;

    @Test
    void aRoleIsReadInAnyCaseAndAnUnknownOneNamesTheChoices() {
        assertThat(Launcher.role(Role.class, "DataNode", "argument or HADOOP_ROLE")).isEqualTo(Role.DATANODE);
        assertThatThrownBy(() -> Launcher.role(Role.class, "secondary", "argument or HADOOP_ROLE"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown role 'secondary' (argument or HADOOP_ROLE): expected namenode, datanode, "
                        + "journalnode or api-server");
        assertThatThrownBy(() -> Launcher.role(Role.class, null, "the first argument"))
                .hasMessage("unknown role '' (the first argument): expected namenode, datanode, journalnode or api-server");
        // Words of a role are joined by '-', as users type them.
        assertThat(Launcher.role(Role.class, "api-server", "x")).isEqualTo(Role.API_SERVER);
        assertThat(Launcher.label(Role.API_SERVER)).isEqualTo("api-server");
    }

    @Test
    void aRefusedStartListsEveryProblemThenWhatWasNotStarted() {
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = Launcher.refuse("hadoop", List.of("HDFS_NAME_DIR='x' is not valid", "the keytab is missing"),
                "the namenode was not started", new PrintStream(errors, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(1);
        assertThat(errors.toString(StandardCharsets.UTF_8)).isEqualTo("hadoop: HDFS_NAME_DIR='x' is not valid\n"
                + "hadoop: the keytab is missing\nhadoop: the namenode was not started\n");
        assertThat(new StartProblems(List.of("a", "b")).getMessage()).isEqualTo("a\nb");
        assertThatThrownBy(() -> new StartProblems(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPlanIsMadeOrItsRefusalReportedWithEveryProblem() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Launcher.planOrRefuse(() -> "plan", "platform launcher", "x was not started", stream)).contains("plan");
        assertThat(Launcher.planOrRefuse(() -> {
            throw new StartProblems(List.of("A is not set", "B='b' is not valid"));
        }, "platform launcher", "x was not started", stream)).isEmpty();
        assertThat(Launcher.planOrRefuse(() -> {
            throw new IllegalArgumentException("unknown role 'lab'");
        }, "platform launcher", "x was not started", stream)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("""
                platform launcher: A is not set
                platform launcher: B='b' is not valid
                platform launcher: x was not started
                platform launcher: unknown role 'lab'
                platform launcher: x was not started
                """);
    }

    @Test
    void aChildRunsWithTheGivenEnvironmentAndItsStatusIsReturned() throws Exception {
        Path out = directory.resolve("out");
        int status = Launcher.runChild(List.of("/bin/sh", "-c", "echo \"$GREETING\" > " + out + "; exit 3"),
                java.util.Map.of("GREETING", "hello from the launcher"), java.time.Duration.ofSeconds(5));
        assertThat(status).isEqualTo(3);
        assertThat(out).hasContent("hello from the launcher");
    }

    @Test
    void aMountedFileMustExistAndBeReadable() throws Exception {
        Path keytab = Files.writeString(directory.resolve("etl.keytab"), "bytes");
        assertThat(Mounts.readableFile(keytab.toString(), "the keytab (KERBEROS_KEYTAB)")).isEmpty();
        assertThat(Mounts.readableFile(" ", "the keytab (KERBEROS_KEYTAB)"))
                .hasValue("the keytab (KERBEROS_KEYTAB) is not configured");
        assertThat(Mounts.readableFile(directory.resolve("missing.keytab").toString(), "the keytab (KERBEROS_KEYTAB)"))
                .hasValue("the keytab (KERBEROS_KEYTAB) " + directory.resolve("missing.keytab") + " does not exist");
        assertThat(Mounts.readableFile(directory.toString(), "the keytab (KERBEROS_KEYTAB)"))
                .hasValue("the keytab (KERBEROS_KEYTAB) " + directory + " does not exist");
        Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("---------"));
        if (!Files.isReadable(keytab)) { // root reads anything
            assertThat(Mounts.readableFile(keytab.toString(), "the keytab (KERBEROS_KEYTAB)")).get().asString()
                    .startsWith("the keytab (KERBEROS_KEYTAB) " + keytab + " is not readable by uid ");
        }
    }

    @Test
    void aKeytabWithoutTheServicesKeyIsNamedWithThePrincipal() throws Exception {
        Path other = Files.writeString(directory.resolve("other.keytab"), "not a keytab at all");
        assertThat(Mounts.keytabFor(other.toString(), "HTTP/trino.platform.svc@PLATFORM.TEST", "TRINO_KERBEROS_KEYTAB"))
                .hasValue("TRINO_KERBEROS_KEYTAB " + other + " holds no key for HTTP/trino.platform.svc@PLATFORM.TEST: "
                        + "not this service's keytab (or not a keytab)");
        assertThat(Mounts.keytabFor(directory.resolve("none").toString(), "HTTP/x@R", "TRINO_KERBEROS_KEYTAB"))
                .hasValue("TRINO_KERBEROS_KEYTAB " + directory.resolve("none") + " does not exist");
    }
}
