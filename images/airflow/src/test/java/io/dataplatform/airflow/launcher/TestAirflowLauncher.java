package io.dataplatform.airflow.launcher;

import java.util.HashMap;
import java.util.Map;

import io.dataplatform.launcher.StartProblems;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestAirflowLauncher {
    private static final Map<String, String> DATABASE = Map.of(
            "AIRFLOW_DATABASE_HOST", "postgresql.platform.svc:5432",
            "AIRFLOW_DATABASE_NAME", "airflow_data_engineering",
            "AIRFLOW_DATABASE_USER", "airflow_data_engineering",
            "AIRFLOW_DATABASE_PASSWORD", "s3cret word+/");

    @Test
    void eachComponentIsARoleWithItsDatabaseOverTls() {
        AirflowLauncher.Plan scheduler = AirflowLauncher.plan(new String[] {"scheduler"}, DATABASE);
        assertThat(scheduler.command()).containsExactly("/usr/local/bin/airflow", "scheduler");
        assertThat(scheduler.environment())
                .containsEntry("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql+psycopg2://airflow_data_engineering:"
                        + "s3cret%20word%2B%2F@postgresql.platform.svc:5432/airflow_data_engineering?sslmode=require")
                .containsEntry("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
                .containsEntry("AIRFLOW__CORE__EXECUTOR", "LocalExecutor");
        assertThat(AirflowLauncher.plan(new String[] {"api-server"}, DATABASE).command())
                .containsExactly("/usr/local/bin/airflow", "api-server", "--port", "8080");
        assertThat(AirflowLauncher.plan(new String[] {"db-migrate"}, DATABASE).command())
                .containsExactly("/usr/local/bin/airflow", "db", "migrate");
        Map<String, String> byVariable = new HashMap<>(DATABASE);
        byVariable.put("AIRFLOW_ROLE", "dag-processor");
        byVariable.put("AIRFLOW__CORE__EXECUTOR", "LocalExecutor,KubernetesExecutor");
        AirflowLauncher.Plan processor = AirflowLauncher.plan(new String[0], byVariable);
        assertThat(processor.command()).containsExactly("/usr/local/bin/airflow", "dag-processor");
        // What the deployment sets wins over the image's defaults.
        assertThat(processor.environment()).containsEntry("AIRFLOW__CORE__EXECUTOR", "LocalExecutor,KubernetesExecutor");
    }

    @Test
    void aTaskRunsItsCommandAndNeedsNoDatabase() {
        AirflowLauncher.Plan task = AirflowLauncher.plan(new String[] {"task", "python", "-m",
                "airflow.sdk.execution_time.execute_workload", "--json-string", "{}"}, Map.of());
        assertThat(task.command()).containsExactly("python", "-m", "airflow.sdk.execution_time.execute_workload",
                "--json-string", "{}");
        assertThat(task.environment()).doesNotContainKey("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN");
        assertThat(AirflowLauncher.plan(new String[] {"cli", "version"}, Map.of()).command())
                .containsExactly("/usr/local/bin/airflow", "version");
        // A connection set as Airflow's own variable is used as it is.
        assertThat(AirflowLauncher.plan(new String[] {"triggerer"},
                Map.of("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql+psycopg2://x")).environment())
                .containsEntry("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql+psycopg2://x");
    }

    @Test
    void everyProblemIsNamedAtOnceAndAPasswordIsNeverShown() {
        Map<String, String> bad = new HashMap<>(DATABASE);
        bad.remove("AIRFLOW_DATABASE_NAME");
        bad.put("AIRFLOW_DATABASE_HOST", "postgresql.platform.svc");
        bad.put("AIRFLOW_DATABASE_PASSWORD", "");
        bad.put("AIRFLOW_API_PORT", "http");
        assertThatThrownBy(() -> AirflowLauncher.plan(new String[] {"api-server"}, bad))
                .isInstanceOf(StartProblems.class)
                .satisfies(e -> assertThat(((StartProblems) e).problems()).containsExactly(
                        "AIRFLOW_DATABASE_HOST='postgresql.platform.svc' is not valid (the team's metadata database "
                                + "server, host:port, e.g. postgresql.platform.svc:5432)",
                        "AIRFLOW_DATABASE_NAME is not set (the team's database, e.g. airflow_data_engineering)",
                        "AIRFLOW_DATABASE_PASSWORD is not set (the owner's password, from a Secret)",
                        "AIRFLOW_API_PORT='http' is not valid (the api-server's port)"));
        assertThatThrownBy(() -> AirflowLauncher.plan(new String[] {"webserver"}, DATABASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown role 'webserver' (argument or AIRFLOW_ROLE): expected api-server, scheduler, "
                        + "dag-processor, triggerer, db-migrate, task or cli");
        assertThatThrownBy(() -> AirflowLauncher.plan(new String[] {"task"}, Map.of()))
                .hasMessage("task needs the command to run (the Kubernetes executor's pod arguments)");
    }
}
