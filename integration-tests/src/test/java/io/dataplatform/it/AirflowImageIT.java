package io.dataplatform.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Airflow image: Debian's Python with the wheels of its python.lock installed by the build (no pip in the
 * image), started by the platform's launcher. Its CLI and providers import as uid 1000; the db-migrate role builds
 * Airflow's metadata schema in a team database of the platform's PostgreSQL image over TLS, and the api-server role
 * answers on it; bad settings stop the container before Airflow starts, every one named.
 */
class AirflowImageIT {
    private static final String AIRFLOW_VERSION = System.getProperty("airflow.version");
    /** URL-encoded by the launcher into Airflow's connection string. */
    private static final String PASSWORD = "team-secret+/@";

    @Test
    void theCliAndTheProvidersRunAsThePlatformUser() {
        // The image's default command: the launcher's cli role, `airflow version`.
        ContainerExit exit = run(container());
        assertThat(exit.code()).as(exit.logs()).isZero();
        assertThat(exit.logs().strip()).endsWith(AIRFLOW_VERSION);

        GenericContainer<?> imports = container()
                .withCreateContainerCmdModifier(command -> command.withEntrypoint("/usr/bin/python3.13"))
                .withCommand("-c", "import os, sys, airflow, psycopg2, trino; "
                        + "import airflow.providers.cncf.kubernetes, airflow.providers.trino, airflow.providers.postgres; "
                        + "print('uid', os.getuid(), 'python', sys.version.split()[0], 'airflow', airflow.__version__)");
        ContainerExit imported = run(imports);
        assertThat(imported.code()).as(imported.logs()).isZero();
        assertThat(imported.logs()).contains("uid 1000 python 3.13.").contains("airflow " + AIRFLOW_VERSION);
    }

    @Test
    void theMetadataDatabaseIsMigratedOnThePlatformPostgresqlAndTheApiServerAnswers() throws Exception {
        try (Network network = Network.newNetwork();
                PostgresContainer postgres = new PostgresContainer(PlatformImage.of("postgres"))
                        .withEnv("POSTGRES_DATABASES", "airflow_team:airflow_team:" + PASSWORD)
                        .withNetwork(network).withNetworkAliases("postgres")) {
            postgres.start();
            Map<String, String> database = Map.of(
                    "AIRFLOW_DATABASE_HOST", "postgres:5432",
                    "AIRFLOW_DATABASE_NAME", "airflow_team",
                    "AIRFLOW_DATABASE_USER", "airflow_team",
                    "AIRFLOW_DATABASE_PASSWORD", PASSWORD);
            GenericContainer<?> migrate = container().withNetwork(network).withEnv(database).withCommand("db-migrate");
            ContainerExit.expect(migrate, Duration.ofMinutes(5));
            ContainerExit exit = run(migrate);
            assertThat(exit.code()).as(exit.logs()).isZero();
            assertThat(exit.logs()).contains("platform launcher: airflow db-migrate: /usr/local/bin/airflow db migrate",
                    "Database migration done!");
            try (Connection connection = postgres.connect("airflow_team", "airflow_team", PASSWORD);
                    Statement statement = connection.createStatement();
                    ResultSet tables = statement.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                            + "AND tableowner = 'airflow_team' AND tablename IN ('alembic_version', 'dag', 'dag_run', "
                            + "'task_instance', 'connection')")) {
                assertThat(tables.next()).isTrue();
                assertThat(tables.getInt(1)).isEqualTo(5);
            }

            try (GenericContainer<?> api = new GenericContainer<>(PlatformImage.of("airflow").name())
                    .withNetwork(network).withEnv(database).withCommand("api-server").withExposedPorts(8080)
                    .waitingFor(Wait.forHttp("/api/v2/monitor/health").forPort(8080)
                            .withStartupTimeout(Duration.ofMinutes(3)))) {
                api.start();
                HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://" + api.getHost() + ":" + api.getMappedPort(8080) + "/api/v2/monitor/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"metadatabase\":{\"status\":\"healthy\"}");
            }
        }
    }

    @Test
    void badSettingsStopTheContainerBeforeAirflowStarts() {
        ContainerExit exit = run(container().withEnv("AIRFLOW_DATABASE_HOST", "postgres")
                .withEnv("AIRFLOW_DATABASE_PASSWORD", "never-shown").withCommand("scheduler"));
        assertThat(exit.code()).isEqualTo(1);
        assertThat(exit.logs()).contains(
                "platform launcher: AIRFLOW_DATABASE_HOST='postgres' is not valid (the team's metadata database server, "
                        + "host:port, e.g. postgresql.platform.svc:5432)",
                "platform launcher: AIRFLOW_DATABASE_NAME is not set",
                "platform launcher: AIRFLOW_DATABASE_USER is not set",
                "platform launcher: Airflow was not started").doesNotContain("never-shown");
        ContainerExit unknown = run(container().withCommand("webserver"));
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.logs()).contains("platform launcher: unknown role 'webserver' (argument or AIRFLOW_ROLE): "
                + "expected api-server, scheduler, dag-processor, triggerer, db-migrate, db-check, task or cli");
    }

    private static GenericContainer<?> container() {
        GenericContainer<?> container = new GenericContainer<>(PlatformImage.of("airflow").name());
        ContainerExit.expect(container, Duration.ofMinutes(2));
        return container;
    }

    private static ContainerExit run(GenericContainer<?> container) {
        try (container) {
            return ContainerExit.of(container);
        }
    }
}
