package io.dataplatform.it;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosTicket;
import javax.security.auth.login.LoginException;

import com.github.dockerjava.api.DockerClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.output.WaitingConsumer;
import org.testcontainers.containers.output.OutputFrame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The development KDC: real AS exchanges from the JDK's Kerberos client, keys kept across restarts, bad input. */
class KerberosKdcIT {
    private static final String REALM = "PLATFORM.TEST";
    private static final String PRINCIPALS = """
            # the HDFS issue's services and two users
            realm PLATFORM.TEST
            nn/namenode.platform.test keytab=hdfs.keytab
            HTTP/namenode.platform.test keytab=hdfs.keytab
            dn/datanode.platform.test keytab=dn.keytab
            alice password=alice-secret
            bob keytab=bob.keytab
            """;

    private static KdcContainer kdc;

    @TempDir
    Path temporary;

    @BeforeAll
    static void startKdc() {
        kdc = new KdcContainer(PlatformImage.of("kdc"), REALM, PRINCIPALS);
        kdc.start();
    }

    @AfterAll
    static void stopKdc() {
        if (kdc != null) {
            kdc.close();
        }
    }

    @Test
    void serviceLogsInFromItsKeytab() throws LoginException {
        Kerberos.useConfiguration(kdc.clientConfiguration(temporary));
        Path keytab = kdc.keytab("hdfs.keytab", temporary);

        for (String service : new String[] {"nn/namenode.platform.test", "HTTP/namenode.platform.test"}) {
            KerberosTicket ticket = Kerberos.ticketGrantingTicket(
                    Kerberos.loginWithKeytab(service + "@" + REALM, keytab));
            assertThat(ticket.getClient().getName()).isEqualTo(service + "@" + REALM);
            assertThat(ticket.getServer().getName()).isEqualTo("krbtgt/" + REALM + "@" + REALM);
            assertThat(ticket.isCurrent()).isTrue();
        }
    }

    @Test
    void userLogsInWithPasswordAndAWrongPasswordIsRejected() throws LoginException {
        Kerberos.useConfiguration(kdc.clientConfiguration(temporary));
        Subject alice = Kerberos.loginWithPassword("alice@" + REALM, "alice-secret");
        assertThat(Kerberos.ticketGrantingTicket(alice).getClient().getName()).isEqualTo("alice@" + REALM);

        assertThatThrownBy(() -> Kerberos.loginWithPassword("alice@" + REALM, "guess"))
                .isInstanceOf(LoginException.class)
                .hasMessageContaining("Pre-authentication information was invalid");
        assertThatThrownBy(() -> Kerberos.loginWithPassword("mallory@" + REALM, "x"))
                .isInstanceOf(LoginException.class)
                .hasMessageContaining("not found in Kerberos database");
    }

    @Test
    void aKeytabOfAnotherPrincipalDoesNotLogIn() {
        Kerberos.useConfiguration(kdc.clientConfiguration(temporary));
        Path bobKeytab = kdc.keytab("bob.keytab", temporary);
        assertThatThrownBy(() -> Kerberos.loginWithKeytab("dn/datanode.platform.test@" + REALM, bobKeytab))
                .isInstanceOf(LoginException.class)
                .hasMessageContaining("Unable to obtain password from user");
    }

    @Test
    void healthCheckObtainsARealTicket() throws Exception {
        List<String> command = kdc.getContainerInfo().getConfig().getHealthcheck().getTest();
        var result = kdc.execInContainer(command.subList(1, command.size()).toArray(String[]::new));
        assertThat(result.getExitCode()).as(result.getStderr()).isZero();
    }

    @Test
    void healthCheckFailsWhileTheKdcDoesNotAnswerAndRecovers() throws Exception {
        List<String> command = kdc.getContainerInfo().getConfig().getHealthcheck().getTest();
        String[] health = command.subList(1, command.size()).toArray(String[]::new);
        // Freeze krb5kdc (the process is alive, its port open, but no ticket comes back), as a hung KDC would be.
        signalKdc("STOP");
        try {
            var frozen = kdc.execInContainer(health);
            assertThat(frozen.getExitCode()).isNotZero();
            assertThat(frozen.getStderr()).contains("Cannot contact any KDC for realm '" + REALM + "'");
        }
        finally {
            signalKdc("CONT");
        }
        var thawed = kdc.execInContainer(health);
        assertThat(thawed.getExitCode()).as(thawed.getStderr()).isZero();
    }

    /** Sends a signal to krb5kdc inside the container (the image has no pkill: dash walks /proc). */
    private static void signalKdc(String signal) throws Exception {
        var result = kdc.execInContainer("sh", "-c", """
                found=no
                for process in /proc/[0-9]*; do
                  read -r name < "$process/comm" 2> /dev/null || continue
                  if [ "$name" = krb5kdc ]; then kill -%s "${process#/proc/}"; found=yes; fi
                done
                [ "$found" = yes ]
                """.formatted(signal));
        assertThat(result.getExitCode()).as("kill -%s krb5kdc: %s", signal, result.getStderr()).isZero();
    }

    @Test
    void aRestartKeepsTheKeysSoIssuedKeytabsStayValid() throws Exception {
        Path keytab = kdc.keytab("dn.keytab", temporary);
        DockerClient docker = DockerClientFactory.instance().client();

        WaitingConsumer ready = new WaitingConsumer();
        docker.restartContainerCmd(kdc.getContainerId()).exec();
        kdc.followOutput(ready, OutputFrame.OutputType.STDOUT);
        ready.waitUntil(frame -> frame.getUtf8String().contains("ready on port"), 60, TimeUnit.SECONDS, 2);

        Kerberos.useConfiguration(kdc.clientConfiguration(temporary));
        Subject subject = Kerberos.loginWithKeytab("dn/datanode.platform.test@" + REALM, keytab);
        assertThat(Kerberos.ticketGrantingTicket(subject).getClient().getName())
                .isEqualTo("dn/datanode.platform.test@" + REALM);
    }

    @Test
    void aMalformedPrincipalsFileStopsTheKdcAndSaysWhere() {
        try (KdcContainer broken = new KdcContainer(PlatformImage.of("kdc"), REALM, """
                realm PLATFORM.TEST
                nn/namenode.platform.test keytabs=hdfs.keytab
                """).expectingExit()) {
            broken.start();

            assertThat(broken.getCurrentContainerInfo().getState().getExitCodeLong()).isEqualTo(1);
            assertThat(broken.getLogs()).contains(
                    "kdc: /etc/kdc/principals:2: unknown option 'keytabs=…' "
                            + "(expected keytab=<file> or password=<password>; values are not shown)")
                    .doesNotContain("created realm");
        }
    }
}
