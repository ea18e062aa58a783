package io.dataplatform.it;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Airflow image: Debian's Python with the wheels of its python.lock installed by the build (no pip in the
 * image), its CLI and providers importable as uid 1000, and Airflow's metadata database migrated on the platform's
 * PostgreSQL image over TLS, as a team's Airflow keeps it.
 */
class AirflowImageIT {
    private static final String AIRFLOW_VERSION = System.getProperty("airflow.version");

    @Test
    void theCliAndTheProvidersRunAsThePlatformUser() {
        GenericContainer<?> version = container().withCommand("version");
        ContainerExit exit = run(version);
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
    void theMetadataDatabaseIsMigratedOnThePlatformPostgresql() throws Exception {
        try (Network network = Network.newNetwork();
                PostgresContainer postgres = new PostgresContainer(PlatformImage.of("postgres"))
                        .withEnv("POSTGRES_DATABASES", "airflow:airflow_team:team-secret")
                        .withNetwork(network).withNetworkAliases("postgres")) {
            postgres.start();
            GenericContainer<?> migrate = container()
                    .withNetwork(network)
                    .withEnv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
                            "postgresql+psycopg2://airflow_team:team-secret@postgres:5432/airflow?sslmode=require")
                    .withCommand("db", "migrate");
            ContainerExit.expect(migrate, Duration.ofMinutes(5));
            ContainerExit exit = run(migrate);
            assertThat(exit.code()).as(exit.logs()).isZero();
            assertThat(exit.logs()).contains("Database migration done!");
            try (Connection connection = postgres.connect("airflow", "airflow_team", "team-secret");
                    Statement statement = connection.createStatement();
                    ResultSet tables = statement.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                            + "AND tableowner = 'airflow_team' AND tablename IN ('alembic_version', 'dag', 'dag_run', "
                            + "'task_instance', 'connection')")) {
                assertThat(tables.next()).isTrue();
                assertThat(tables.getInt(1)).isEqualTo(5);
            }
        }
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
