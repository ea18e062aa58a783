package io.dataplatform.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.github.dockerjava.api.model.Bind;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/** The development KDC image with a principals file; ready once the realm and every keytab exist. */
final class KdcContainer extends GenericContainer<KdcContainer> {
    static final int KDC_PORT = 8888;
    static final String KEYTAB_DIRECTORY = "/var/lib/kdc/keytabs";

    private final String realm;
    private final String principals;
    private boolean expectExit;

    KdcContainer(PlatformImage image, String realm, String principals) {
        super(image.name());
        this.realm = realm;
        this.principals = principals;
    }

    /** Keytabs are written to {@code directory} on the host too (a volume shared with the services). */
    KdcContainer withKeytabDirectory(Path directory) {
        // A plain bind: Testcontainers' withFileSystemBind probes bind support with an unpullable alpine image.
        return withCreateContainerCmdModifier(command -> command.getHostConfig()
                .withBinds(Bind.parse(directory + ":" + KEYTAB_DIRECTORY)));
    }

    /**
     * For a KDC expected to stop at once (bad input): started until it exits, so that its exit code and output can be
     * read; no ports (Testcontainers would wait for them to be mapped) and no readiness wait.
     */
    KdcContainer expectingExit() {
        expectExit = true;
        return this;
    }

    @Override
    protected void configure() {
        withCopyToContainer(Transferable.of(principals.getBytes(StandardCharsets.UTF_8), 0644), "/etc/kdc/principals");
        withStartupAttempts(1);
        if (expectExit) {
            ContainerExit.expect(this);
            return;
        }
        withExposedPorts(KDC_PORT);
        waitingFor(Wait.forLogMessage(".*kdc: realm .* ready on port.*\\n", 1)
                .withStartupTimeout(Duration.ofMinutes(1)));
    }

    String realm() {
        return realm;
    }

    /** Copies a keytab the KDC exported to {@code directory}. */
    Path keytab(String name, Path directory) {
        Path target = directory.resolve(name);
        copyFileFromContainer(KEYTAB_DIRECTORY + "/" + name, target.toString());
        return target;
    }

    /** A client krb5.conf that reaches this KDC over TCP on its mapped port. */
    Path clientConfiguration(Path directory) {
        int port = currentKdcPort();
        String configuration = """
                [libdefaults]
                  default_realm = %1$s
                  dns_lookup_kdc = false
                  dns_lookup_realm = false
                  udp_preference_limit = 1
                  ticket_lifetime = 1h
                [realms]
                  %1$s = {
                    kdc = %2$s:%3$d
                  }
                """.formatted(realm, getHost(), port);
        try {
            return Files.writeString(directory.resolve("krb5.conf"), configuration);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The KDC's host port as Docker maps it now: a restart maps it anew, which getMappedPort does not see. */
    int currentKdcPort() {
        return HostPorts.current(this, KDC_PORT);
    }
}
