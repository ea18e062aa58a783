package io.dataplatform.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

import org.testcontainers.containers.GenericContainer;

/** The platform's PostgreSQL image, configured through its environment. */
final class PostgresContainer extends GenericContainer<PostgresContainer> {
    static final int PORT = 5432;
    static final String SUPERUSER_PASSWORD = "postgres-test-secret";

    private boolean expectExit;

    PostgresContainer(PlatformImage image) {
        super(image.name());
        withEnv("POSTGRES_PASSWORD", SUPERUSER_PASSWORD);
    }

    /** For a server expected to refuse to start (bad input): {@link ContainerExit#of} reports how it ended. */
    PostgresContainer expectingExit() {
        expectExit = true;
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

    String jdbcUrl(String database) {
        return "jdbc:postgresql://%s:%d/%s".formatted(getHost(), getMappedPort(PORT), database);
    }

    Connection connect(String database, String user, String password) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user, password);
    }
}
