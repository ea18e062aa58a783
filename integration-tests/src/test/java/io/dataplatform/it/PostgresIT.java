package io.dataplatform.it;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PostgreSQL from the platform's image: users and databases from the environment, kept across restarts; TLS only,
 * each database reachable by its own owner only.
 */
class PostgresIT {
    private static final String DATABASES = "iceberg:iceberg:iceberg-secret,airflow:airflow_team:airflow-secret";

    @Test
    void usersAndDatabasesFromTheEnvironmentServeRealQueriesAndSurviveARestart() throws Exception {
        try (PostgresContainer postgres = new PostgresContainer(PlatformImage.of("postgres"))
                .withEnv("POSTGRES_DATABASES", DATABASES)
                .withEnv("POSTGRES_ICEBERG_CATALOGS", "iceberg")) {
            postgres.start();
            assertThat(postgres.getLogs()).contains("postgres: initialised /var/lib/postgresql/data (superuser postgres)",
                    "postgres: users and databases in place: iceberg (owner iceberg) [Iceberg catalog tables] "
                            + "airflow (owner airflow_team)");

            try (Connection connection = postgres.connect("iceberg", "iceberg", "iceberg-secret");
                    Statement statement = connection.createStatement()) {
                // The Iceberg JDBC catalog's tables (schema V1), the database owner's, ready before any engine comes.
                assertThat(single(statement, "SELECT string_agg(tablename || ':' || tableowner, ' ' ORDER BY tablename) "
                        + "FROM pg_tables WHERE schemaname = 'public'"))
                        .isEqualTo("iceberg_namespace_properties:iceberg iceberg_tables:iceberg");
                statement.execute("INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
                        + "metadata_location, iceberg_type) VALUES ('platform', 'cdr', 'calls', 'hdfs://nn/x.json', 'TABLE')");
                assertThat(single(statement, "SELECT current_user || '@' || current_database() || ' ' || "
                        + "pg_encoding_to_char(encoding) || ' ' || datcollate FROM pg_database "
                        + "WHERE datname = current_database()"))
                        .isEqualTo("iceberg@iceberg UTF8 C.UTF-8");
            }
            try (Connection connection = postgres.connect("airflow", "airflow_team", "airflow-secret");
                    Statement statement = connection.createStatement()) {
                assertThat(single(statement, "SELECT pg_get_userbyid(datdba) FROM pg_database "
                        + "WHERE datname = 'airflow'")).isEqualTo("airflow_team");
                // Owners own their database, and nothing else.
                assertThatThrownBy(() -> statement.execute("SELECT * FROM pg_authid"))
                        .hasMessageContaining("permission denied");
            }
            // Each owner reaches its own database only: pg_hba names the pair, and CONNECT is revoked from PUBLIC.
            assertThatThrownBy(() -> postgres.connect("airflow", "iceberg", "iceberg-secret"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("no pg_hba.conf entry for host")
                    .hasMessageContaining("user \"iceberg\", database \"airflow\"");
            assertThatThrownBy(() -> postgres.connect("iceberg", "airflow_team", "airflow-secret"))
                    .hasMessageContaining("user \"airflow_team\", database \"iceberg\"");
            try (Connection connection = postgres.connect("postgres", "postgres", PostgresContainer.SUPERUSER_PASSWORD);
                    Statement statement = connection.createStatement()) {
                assertThat(single(statement, "SELECT has_database_privilege('iceberg', 'airflow', 'CONNECT')::text || ' ' "
                        + "|| has_database_privilege('airflow_team', 'iceberg', 'CONNECT')::text || ' ' "
                        + "|| has_database_privilege('iceberg', 'iceberg', 'CONNECT')::text"))
                        .isEqualTo("false false true");
                // This connection is TLS, with the certificate the client verified (verify-full).
                assertThat(single(statement, "SELECT ssl::text || ' ' || version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                        .startsWith("true TLSv1.");
            }
            // No TLS, no login: a client that will not encrypt finds no pg_hba entry at all.
            assertThatThrownBy(() -> java.sql.DriverManager.getConnection("jdbc:postgresql://%s:%d/iceberg?sslmode=disable"
                    .formatted(postgres.getHost(), postgres.getMappedPort(PostgresContainer.PORT)), "iceberg", "iceberg-secret"))
                    .hasMessageContaining("no pg_hba.conf entry")
                    .hasMessageContaining("no encryption");
            assertThatThrownBy(() -> postgres.connect("iceberg", "iceberg", "guess"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed for user \"iceberg\"");
            assertThat(postgres.execInContainer("/usr/local/bin/postgres-entrypoint", "health").getExitCode()).isZero();

            // A clean stop and start: the data and the users stay, nothing is initialised again.
            var docker = DockerClientFactory.instance().client();
            docker.stopContainerCmd(postgres.getContainerId()).withTimeout(30).exec();
            assertThat(docker.inspectContainerCmd(postgres.getContainerId()).exec().getState().getExitCodeLong())
                    .isZero();
            docker.startContainerCmd(postgres.getContainerId()).exec();
            int port = HostPorts.current(postgres, PostgresContainer.PORT);
            String url = "jdbc:postgresql://%s:%d/iceberg".formatted(postgres.getHost(), port);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (true) {
                try (Connection connection = java.sql.DriverManager.getConnection(url, "iceberg", "iceberg-secret");
                        Statement statement = connection.createStatement()) {
                    assertThat(single(statement, "SELECT table_namespace || '.' || table_name FROM iceberg_tables"))
                            .isEqualTo("cdr.calls");
                    break;
                }
                catch (SQLException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(250);
                }
            }
            String logs = postgres.getLogs();
            assertThat(logs.indexOf("postgres: initialised")).isEqualTo(logs.lastIndexOf("postgres: initialised"));
        }
    }

    @Test
    void badInputStopsTheServerWithTheReason() {
        try (PostgresContainer postgres = new PostgresContainer(PlatformImage.of("postgres"))
                .withEnv("POSTGRES_PASSWORD", "").expectingExit()) {
            ContainerExit exit = ContainerExit.of(postgres);
            assertThat(exit.code()).isEqualTo(1);
            assertThat(exit.logs()).contains("postgres: POSTGRES_PASSWORD is not set");
        }
        try (PostgresContainer postgres = new PostgresContainer(PlatformImage.of("postgres"))
                .withEnv("POSTGRES_DATABASES", "iceberg:iceberg:ok-secret,Airflow:airflow:x").expectingExit()) {
            ContainerExit exit = ContainerExit.of(postgres);
            assertThat(exit.code()).isEqualTo(1);
            assertThat(exit.logs()).contains("postgres: POSTGRES_DATABASES: 'Airflow' (in 'Airflow:airflow:…') must be "
                    + "lower-case letters, digits and '_'");
            assertThat(exit.logs()).doesNotContain("initialised");
        }
        // A malformed entry is named by its database; its password never appears.
        try (PostgresContainer postgres = new PostgresContainer(PlatformImage.of("postgres"))
                .withEnv("POSTGRES_DATABASES", "iceberg:only-a-secret").expectingExit()) {
            ContainerExit exit = ContainerExit.of(postgres);
            assertThat(exit.code()).isEqualTo(1);
            assertThat(exit.logs()).contains("postgres: POSTGRES_DATABASES: the entry of 'iceberg' is not "
                    + "name:owner:password").doesNotContain("only-a-secret");
        }
        try (PostgresContainer postgres = new PostgresContainer(PlatformImage.of("postgres"))
                .withEnv("POSTGRES_DATABASES", DATABASES).withEnv("POSTGRES_ICEBERG_CATALOGS", "iceberg,lakehouse")
                .expectingExit()) {
            ContainerExit exit = ContainerExit.of(postgres);
            assertThat(exit.code()).isEqualTo(1);
            assertThat(exit.logs()).contains("postgres: POSTGRES_ICEBERG_CATALOGS: 'lakehouse' is not a database of "
                    + "POSTGRES_DATABASES").doesNotContain("initialised");
        }
        // No certificate, no server: it will not serve passwords in clear.
        try (PostgresContainer postgres = new PostgresContainer(PlatformImage.of("postgres")).withoutTls()
                .expectingExit()) {
            ContainerExit exit = ContainerExit.of(postgres);
            assertThat(exit.code()).isEqualTo(1);
            assertThat(exit.logs()).contains("postgres: /etc/postgresql/tls/tls.crt does not exist or is not readable: "
                    + "mount the TLS Secret").doesNotContain("initialised");
        }
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet result = statement.executeQuery(sql)) {
            assertThat(result.next()).isTrue();
            return result.getString(1);
        }
    }
}
