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
    /** The api-server's login through the platform's identity provider (argocd/apps/airflow/base/airflow.env). */
    private static final Map<String, String> LOGIN = Map.of(
            "AIRFLOW__CORE__AUTH_MANAGER", "dataplatform_airflow.auth_manager.PlatformAuthManager",
            "AIRFLOW__PLATFORM_AUTH__ISSUER", "http://keycloak.platform.svc:8080/realms/platform",
            "AIRFLOW__PLATFORM_AUTH__CLIENT_ID", "airflow",
            "AIRFLOW__PLATFORM_AUTH__CLIENT_SECRET", "client-s3cret",
            "AIRFLOW__PLATFORM_AUTH__USER_GROUPS", "team-data-engineering , platform-admins");

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
        // With the platform's login, its settings are there (and Airflow's own variables pass through).
        Map<String, String> withLogin = new HashMap<>(DATABASE);
        withLogin.putAll(LOGIN);
        assertThat(AirflowLauncher.plan(new String[] {"api-server"}, withLogin).environment())
                .containsAllEntriesOf(LOGIN);
        assertThat(AirflowLauncher.plan(new String[] {"db-migrate"}, DATABASE).command())
                .containsExactly("/usr/local/bin/airflow", "db", "migrate");
        assertThat(AirflowLauncher.plan(new String[] {"db-check"}, DATABASE).command())
                .containsExactly("/usr/local/bin/airflow", "db", "check-migrations", "--migration-wait-timeout", "600");
        // The task pods' image, one reference in the manifests, becomes Airflow's repository and tag.
        Map<String, String> withTaskImage = new HashMap<>(DATABASE);
        withTaskImage.put("AIRFLOW_TASK_IMAGE", "registry.operator.example:5000/platform/airflow-spark:3.3.2-spark4.1.1-1");
        assertThat(AirflowLauncher.plan(new String[] {"scheduler"}, withTaskImage).environment())
                .containsEntry("AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_REPOSITORY",
                        "registry.operator.example:5000/platform/airflow-spark")
                .containsEntry("AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG", "3.3.2-spark4.1.1-1");
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
        bad.put("AIRFLOW_TASK_IMAGE", "platform/airflow-spark");
        bad.putAll(LOGIN);
        bad.remove("AIRFLOW__PLATFORM_AUTH__CLIENT_SECRET");
        bad.put("AIRFLOW__PLATFORM_AUTH__ISSUER", "keycloak.platform.svc:8080/realms/platform");
        bad.put("AIRFLOW__PLATFORM_AUTH__USER_GROUPS", "team-data-engineering;platform-admins");
        assertThatThrownBy(() -> AirflowLauncher.plan(new String[] {"api-server"}, bad))
                .isInstanceOf(StartProblems.class)
                .satisfies(e -> assertThat(((StartProblems) e).problems()).containsExactly(
                        "AIRFLOW_DATABASE_HOST='postgresql.platform.svc' is not valid (the team's metadata database "
                                + "server, host:port, e.g. postgresql.platform.svc:5432)",
                        "AIRFLOW_DATABASE_NAME is not set (the team's metadata database, e.g. airflow_data_engineering)",
                        "AIRFLOW_DATABASE_PASSWORD is not set (the owner's password, from a Secret)",
                        "AIRFLOW__PLATFORM_AUTH__ISSUER='keycloak.platform.svc:8080/realms/platform' is not valid (the "
                                + "identity provider's realm, e.g. https://sso.operator.example/realms/platform)",
                        "AIRFLOW__PLATFORM_AUTH__CLIENT_SECRET is not set (that client's secret, from a Secret)",
                        "AIRFLOW__PLATFORM_AUTH__USER_GROUPS='team-data-engineering;platform-admins' is not valid (the "
                                + "groups whose members may use this Airflow, comma-separated, e.g. team-data-engineering)",
                        "AIRFLOW_API_PORT='http' is not valid (the api-server's port)",
                        "AIRFLOW_TASK_IMAGE='platform/airflow-spark' is not an image reference repository:tag (the "
                                + "Kubernetes executor's task image, e.g. platform/airflow-spark:3.3.2-spark4.1.1-1)"));
        assertThatThrownBy(() -> AirflowLauncher.plan(new String[] {"webserver"}, DATABASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown role 'webserver' (argument or AIRFLOW_ROLE): expected api-server, scheduler, "
                        + "dag-processor, triggerer, db-migrate, db-check, task or cli");
        assertThatThrownBy(() -> AirflowLauncher.plan(new String[] {"task"}, Map.of()))
                .hasMessage("task needs the command to run (the Kubernetes executor's pod arguments)");
    }

    @Test
    void whereTasksRunTheKerberosClientFileIsRenderedFromThePlatformsVariables() {
        Map<String, String> client = new HashMap<>(DATABASE);
        client.putAll(Map.of("KERBEROS_REALM", "PLATFORM.EXAMPLE", "KERBEROS_KDC", "kdc.platform.example:88",
                "HDFS_NAMENODE", "namenode.platform.example:8020", "AIRFLOW_HOME", "/opt/airflow"));
        for (String role : new String[] {"scheduler", "task"}) {
            AirflowLauncher.Plan plan = AirflowLauncher.plan(new String[] {role, "true"}, client);
            assertThat(plan.clientFiles()).contains(java.nio.file.Path.of("/opt/airflow/client"));
            assertThat(plan.environment()).containsEntry("KRB5_CONFIG", "/opt/airflow/client/krb5.conf");
        }
        // The other components run no task; nor does a scheduler without the variables (no hadoop-client).
        assertThat(AirflowLauncher.plan(new String[] {"dag-processor"}, client).clientFiles()).isEmpty();
        assertThat(AirflowLauncher.plan(new String[] {"scheduler"}, DATABASE).environment()).doesNotContainKey("KRB5_CONFIG");
        client.put("KERBEROS_KDC", "kdc.platform.example");
        assertThatThrownBy(() -> AirflowLauncher.plan(new String[] {"scheduler"}, client))
                .isInstanceOf(StartProblems.class)
                .satisfies(e -> assertThat(((StartProblems) e).problems()).singleElement().asString()
                        .startsWith("KERBEROS_KDC='kdc.platform.example' is not valid"));
    }
}
