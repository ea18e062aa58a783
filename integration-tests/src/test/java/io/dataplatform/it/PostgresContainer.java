package io.dataplatform.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import com.github.dockerjava.api.model.Bind;
import org.testcontainers.containers.GenericContainer;

/**
 * The platform's PostgreSQL image, configured through its environment, with a TLS certificate mounted as the TLS
 * Secret is in a pod ({@code /etc/postgresql/tls/tls.crt}, {@code tls.key}); clients verify it.
 */
final class PostgresContainer extends GenericContainer<PostgresContainer> {
    static final int PORT = 5432;
    static final String SUPERUSER_PASSWORD = "postgres-test-secret";
    static final String TLS_DIRECTORY = "/etc/postgresql/tls";

    private final Path tls;
    private boolean expectExit;
    private boolean mountTls = true;

    PostgresContainer(PlatformImage image) {
        super(image.name());
        withEnv("POSTGRES_PASSWORD", SUPERUSER_PASSWORD);
        try {
            tls = TlsCertificate.pemFiles(Files.createTempDirectory("postgres-tls-"), "postgres",
                    List.of("localhost", "127.0.0.1", "postgres", "postgres.platform.test"));
        }
        catch (Exception e) {
            throw new IllegalStateException("cannot make the test certificate", e);
        }
        // A bind of our own rather than withFileSystemBind, which makes Testcontainers probe mounts with an image
        // it would have to pull.
        withCreateContainerCmdModifier(command -> {
            if (mountTls) {
                command.getHostConfig().withBinds(Bind.parse(tls + ":" + TLS_DIRECTORY + ":ro"));
            }
        });
    }

    /** For a server expected to refuse to start (bad input): {@link ContainerExit#of} reports how it ended. */
    PostgresContainer expectingExit() {
        expectExit = true;
        return this;
    }

    /** Without the certificate: the server must refuse to start. */
    PostgresContainer withoutTls() {
        mountTls = false;
        return this;
    }

    @Override
    protected void configure() {
        withStartupAttempts(1);
        if (expectExit) {
            ContainerExit.expect(this);
            return;
        }
        withExposedPorts(PORT);
        // Logged once, by the server that stays up (the set-up server logs warnings only).
        waitingFor(new LogLineWait("database system is ready to accept connections")
                .withStartupTimeout(Duration.ofMinutes(1)));
    }

    /** The certificate clients trust (self-signed: it is its own authority). */
    Path certificate() {
        return tls.resolve("tls.crt");
    }

    /** A URL that insists on TLS and checks the server's certificate and name. */
    String jdbcUrl(String database) {
        return "jdbc:postgresql://%s:%d/%s?sslmode=verify-full&sslrootcert=%s".formatted(getHost(),
                getMappedPort(PORT), database, certificate());
    }

    Connection connect(String database, String user, String password) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user, password);
    }

    @Override
    public void close() {
        super.close();
        try (Stream<Path> files = Files.walk(tls)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
