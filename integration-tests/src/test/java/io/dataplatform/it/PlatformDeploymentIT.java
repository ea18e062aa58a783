package io.dataplatform.it;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.dataplatform.gitops.sync.Application;
import io.dataplatform.gitops.sync.Sync;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dev environment of the Argo CD tree, deployed on the development cluster the way Argo CD deploys it: every
 * Application rendered as Argo CD renders it (ApplicationSets generated from the team files), synced in sync-wave
 * order with server-side apply and pruning, each wave healthy before the next. Then: the pins this build produced
 * run, Trino answers through its Service from a team's namespace, PostgreSQL keeps its data across a pod deletion,
 * a second sync changes nothing, and drift is reported and repaired.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlatformDeploymentIT {
    private static final String TEAM_NAMESPACE = "team-data-engineering";

    private static DevelopmentPlatform platform;
    private static KubernetesClient client;
    private static List<Application> applications;
    private static List<Sync.Result> firstSync;

    @BeforeAll
    static void deploy() throws Exception {
        platform = DevelopmentPlatform.shared();
        client = platform.client;
        firstSync = platform.deploy();
        applications = platform.applications();
    }

    @Test
    @Order(1)
    void everyApplicationIsSyncedAndRunsThePinsOfThisBuild() {
        assertThat(firstSync).extracting(Sync.Result::application).containsExactly("argocd-definitions", "shared",
                "keycloak", "opa", "postgresql", "jupyterhub", "spark", "trino", "data-engineering-foundation",
                "data-engineering-airflow");
        assertThat(applications).filteredOn(application -> !application.deployed())
                .extracting(Application::name)
                .containsExactlyInAnyOrder("superset");
        List<Pod> pods = client.pods().inNamespace("platform").list().getItems();
        assertThat(pods).extracting(pod -> pod.getSpec().getContainers().get(0).getImage())
                .contains(PlatformImage.of("postgres").reference(), PlatformImage.of("trino").reference(),
                        PlatformImage.of("opa").reference(), PlatformImage.of("keycloak").reference(),
                        PlatformImage.of("jupyterhub").reference());
        assertThat(pods).allSatisfy(pod -> assertThat(pod.getStatus().getPhase()).isEqualTo("Running"));
        // The team's foundation: its namespace with the ApplicationSet's labels, its quota from its values file.
        assertThat(client.namespaces().withName(TEAM_NAMESPACE).get().getMetadata().getLabels())
                .containsEntry("platform.io/team", "data-engineering");
        assertThat(client.resourceQuotas().inNamespace(TEAM_NAMESPACE).withName("team-quota").get().getSpec().getHard())
                .containsEntry("requests.cpu", new io.fabric8.kubernetes.api.model.Quantity("16"));
        assertThat(client.configMaps().inNamespace(TEAM_NAMESPACE).withName("spark-defaults").get().getData())
                .containsEntry("SPARK_EXECUTOR_IMAGE", PlatformImage.of("spark").reference());
        // The team's Airflow, from our images, running.
        List<Pod> airflow = client.pods().inNamespace(TEAM_NAMESPACE).withLabel("app.kubernetes.io/name", "airflow")
                .list().getItems();
        assertThat(airflow).extracting(pod -> pod.getMetadata().getLabels().get("app.kubernetes.io/component"))
                .containsExactlyInAnyOrder("api-server", "scheduler", "dag-processor", "triggerer");
        assertThat(airflow).allSatisfy(pod -> {
            assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo(PlatformImage.of("airflow").reference());
            assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        });
    }

    @Test
    @Order(2)
    void trinoAnswersThroughItsServiceFromATeamsNamespace() {
        ProbePods.Finished query = ProbePods.probe(client, TEAM_NAMESPACE, "trino-query",
                "resolve:namenode.dev.platform.example", "reverse:" + platform.network.hosts().get("namenode.dev.platform.example"),
                DevelopmentPlatform.trinoQuery("erin", "SELECT count(*), sum(nationkey) FROM tpch.tiny.nation"));
        assertThat(query.succeeded()).as(query.log()).isTrue();
        assertThat(query.log().lines()).contains("trino.rows=[[25,300]]");
        // Trino asks the cluster's OPA: sample data is open to anyone, the lakehouse only to the groups that use it.
        ProbePods.Finished refused = ProbePods.probe(client, TEAM_NAMESPACE, "trino-refuses",
                DevelopmentPlatform.trinoQuery("erin", "SHOW SCHEMAS FROM lakehouse"));
        assertThat(refused.log().lines()).contains("trino.error=Access Denied: Cannot access catalog lakehouse");
        // The dev HDFS beside the cluster, by the name the dev environment's settings use, and back (Kerberos).
        String namenode = platform.network.hosts().get("namenode.dev.platform.example");
        assertThat(query.log().lines()).contains("resolve.namenode.dev.platform.example=" + namenode,
                "reverse." + namenode + "=namenode.dev.platform.example");
    }

    @Test
    @Order(2)
    void trinoWritesTheDevSitesLakehouseAsTheUserBehindTheToken() throws Exception {
        // A fresh lakehouse (its catalog tables made by PostgreSQL at start), used from Trino first: alice of
        // team-data-engineering, logged in at the cluster's Keycloak, creates a schema and a table of her team's.
        ProbePods.Finished created = ProbePods.probe(client, TEAM_NAMESPACE, "trino-creates",
                DevelopmentPlatform.trinoQuery("alice", "CREATE SCHEMA IF NOT EXISTS lakehouse.data_engineering_trino"),
                DevelopmentPlatform.trinoQuery("alice", "CREATE TABLE lakehouse.data_engineering_trino.nations AS "
                        + "SELECT nationkey, name FROM tpch.tiny.nation"));
        assertThat(created.succeeded()).as(created.log()).isTrue();
        assertThat(created.log().lines()).as(created.log()).contains("trino.rows=[[25]]");
        // On the dev site's HDFS the files are alice's, not Trino's: Trino acted for her (the NameNode's proxy-user
        // rule), and the NameNode's authoriser asked the site's OPA (the platform's hdfs policies) about alice.
        platform.hdfs.useAsJvmClient();
        List<org.apache.hadoop.fs.FileStatus> files = platform.hdfs.files("/warehouse/data_engineering_trino");
        assertThat(files).isNotEmpty().allSatisfy(file -> assertThat(file.getOwner()).as(file.getPath().toString())
                .isEqualTo("alice"));
        assertThat(platform.hdfs.namenode.getLogs()).contains("platform authoriser: every access decided by OPA at "
                + "http://opa.dev.platform.example:" + OpaContainer.PORT);
    }

    @Test
    @Order(2)
    void onlyTheNamespacesThatNeedAPlatformServiceReachIt() {
        // The tree's NetworkPolicies, enforced by the node: the platform namespace denies by default; a team's
        // namespace (labelled platform.io/team) reaches Trino's HTTPS port and PostgreSQL, not OPA; a namespace that
        // is no team's reaches only the identity provider.
        ProbePods.Finished team = ProbePods.probe(client, TEAM_NAMESPACE, "reach-from-team",
                "connect:trino.platform.svc:8443", "connect:postgresql.platform.svc:5432",
                "connect:opa.platform.svc:8181", "connect:keycloak.platform.svc:8080");
        String chain = nodeChain();
        assertThat(team.log().lines()).as(team.log() + chain).contains("connect.trino.platform.svc:8443=open",
                "connect.postgresql.platform.svc:5432=open", "connect.opa.platform.svc:8181=timeout",
                "connect.keycloak.platform.svc:8080=open");
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName("outsider").endMetadata().build()).serverSideApply();
        ProbePods.Finished outsider = ProbePods.probe(client, "outsider", "reach-from-outside",
                "connect:trino.platform.svc:8443", "connect:postgresql.platform.svc:5432",
                "connect:keycloak.platform.svc:8080");
        assertThat(outsider.log().lines()).as(outsider.log() + chain).contains("connect.trino.platform.svc:8443=timeout",
                "connect.postgresql.platform.svc:5432=timeout", "connect.keycloak.platform.svc:8080=open");
        // Inside the platform namespace its services reach one another (Trino asks OPA).
        ProbePods.Finished inside = ProbePods.probe(client, "platform", "reach-inside",
                "connect:opa.platform.svc:8181", "connect:trino.platform.svc:8443");
        assertThat(inside.log().lines()).as(inside.log()).contains("connect.opa.platform.svc:8181=open",
                "connect.trino.platform.svc:8443=open");
    }

    /** The node's policy chain and its enforcer's log, to say why a connection was or was not dropped. */
    private static String nodeChain() {
        try {
            return platform.node.execInContainer("iptables-save", "-t", "mangle").getStdout()
                    + platform.node.execInContainer("tail", "-5", "/var/log/platform-node/network-policy.log").getStdout();
        }
        catch (Exception e) {
            return "(the node's chain is not readable: " + e + ")";
        }
    }

    @Test
    @Order(2)
    void theDevelopmentIdentityProviderServesThePlatformRealm() {
        // dev only (environments/dev/keycloak.yaml): the realm of the image, under the issuer every token names.
        ProbePods.Finished realm = ProbePods.probe(client, "platform", "keycloak-realm",
                "oidc:http://keycloak.platform.svc:8080/realms/platform");
        assertThat(realm.succeeded()).as(realm.log()).isTrue();
        assertThat(realm.log().lines()).contains("oidc.issuer=http://keycloak.platform.svc:8080/realms/platform");
    }

    @Test
    @Order(2)
    void usersLogInToJupyterHubThroughTheRealmByTheirGroups() throws Exception {
        try (LocalPortForward hub = client.services().inNamespace("platform").withName("jupyterhub").portForward(8000)) {
            URI login = URI.create("http://localhost:" + hub.getLocalPort() + "/hub/oauth_login");
            // Up to the hub's redirect after its callback (starting servers: JupyterHubOnKubernetesIT).
            ClusterLogin.Result alice = ClusterLogin.logIn(client, login, "alice", "dev-alice-password",
                    location -> location.getPath().startsWith("/hub/home") || location.getPath().equals("/hub/"));
            assertThat(alice.page().statusCode()).as(alice.page().body()).isEqualTo(302);
            assertThat(alice.page().uri().getPath()).isEqualTo("/hub/oauth_callback");
            assertThat(alice.browser().cookie("localhost", "jupyterhub-hub-login")).isPresent();
            System.out.printf("[platform] JupyterHub login through the realm (hub → Keycloak form → callback): %d ms%n",
                    alice.took().toMillis());
            // erin is in none of the dev environment's allowed groups (analysts, platform-admins, team-data-engineering).
            ClusterLogin.Result erin = ClusterLogin.logIn(client, login, "erin", "dev-erin-password", location -> false);
            assertThat(erin.page().statusCode()).as(erin.page().body()).isEqualTo(403);
            assertThat(erin.browser().cookie("localhost", "jupyterhub-hub-login")).isEmpty();
        }
    }

    @Test
    @Order(3)
    void postgresqlKeepsItsDataWhenItsPodIsDeleted() throws Exception {
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace("platform").withName("data-postgresql-0").get();
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("ssd");
        assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
        PersistentVolume volume = client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
        assertThat(volume.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/provisioned-by", "rancher.io/local-path");

        sql("CREATE TABLE IF NOT EXISTS survives (word text)", "INSERT INTO survives VALUES ('persistent')");
        String uid = client.pods().inNamespace("platform").withName("postgresql-0").get().getMetadata().getUid();
        client.pods().inNamespace("platform").withName("postgresql-0").delete();
        client.pods().inNamespace("platform").withName("postgresql-0").waitUntilCondition(pod -> pod != null
                && !pod.getMetadata().getUid().equals(uid) && pod.getStatus().getConditions().stream()
                        .anyMatch(condition -> condition.getType().equals("Ready") && condition.getStatus().equals("True")),
                3, TimeUnit.MINUTES);
        assertThat(sql("SELECT word FROM survives")).isEqualTo("persistent");
    }

    @Test
    @Order(4)
    void aSecondSyncChangesNothing() {
        List<Sync.Result> again = platform.sync().sync(applications, Duration.ofMinutes(3));
        assertThat(again).allSatisfy(result -> assertThat(result.changedNothing()).as(result.toString()).isTrue());
        assertThat(platform.sync().drift(applications)).isEmpty();
    }

    @Test
    @Order(5)
    void aChangedObjectIsDriftAndTheNextSyncRepairsIt() {
        var lakehouse = client.configMaps().inNamespace(TEAM_NAMESPACE).withName("lakehouse");
        String warehouse = lakehouse.get().getData().get("LAKEHOUSE_WAREHOUSE");
        lakehouse.edit(map -> new ConfigMapBuilder(map).addToData("LAKEHOUSE_WAREHOUSE", "hdfs://elsewhere/warehouse").build());
        // An object of the spark application no longer in its source: tracked by it, so pruned.
        client.configMaps().inNamespace("platform").resource(new ConfigMapBuilder().withNewMetadata().withName("left-behind")
                .addToLabels(Sync.INSTANCE_LABEL, "spark")
                .addToAnnotations(Sync.TRACKING_ANNOTATION, "spark:/ConfigMap:platform/left-behind").endMetadata().build()).create();

        assertThat(platform.sync().drift(applications)).containsExactlyInAnyOrder(
                "data-engineering-foundation: ConfigMap team-data-engineering/lakehouse: differs at /data/LAKEHOUSE_WAREHOUSE",
                "spark: ConfigMap left-behind: no longer rendered (prune deletes it)");

        List<Sync.Result> repaired = platform.sync().sync(applications, Duration.ofMinutes(3));
        assertThat(repaired).filteredOn(result -> result.application().equals("data-engineering-foundation"))
                .singleElement().satisfies(result -> assertThat(result.configured()).containsExactly("ConfigMap lakehouse"));
        assertThat(repaired).filteredOn(result -> result.application().equals("spark"))
                .singleElement().satisfies(result -> assertThat(result.pruned()).containsExactly("ConfigMap left-behind"));
        ConfigMap after = lakehouse.get();
        assertThat(after.getData()).containsEntry("LAKEHOUSE_WAREHOUSE", warehouse);
        assertThat(client.configMaps().inNamespace("platform").withName("left-behind").get()).isNull();
        assertThat(platform.sync().drift(applications)).isEmpty();
    }

    /** Runs statements as the catalog's owner through a port forward to the PostgreSQL pod (TLS required); the last one's first value. */
    private static String sql(String... statements) throws Exception {
        try (LocalPortForward forward = client.pods().inNamespace("platform").withName("postgresql-0").portForward(5432);
                Connection connection = DriverManager.getConnection("jdbc:postgresql://localhost:" + forward.getLocalPort()
                        + "/iceberg?sslmode=require", "iceberg", DevelopmentPlatform.CATALOG_PASSWORD);
                Statement statement = connection.createStatement()) {
            String last = null;
            for (String sql : statements) {
                if (statement.execute(sql)) {
                    try (ResultSet rows = statement.executeQuery(sql)) {
                        last = rows.next() ? rows.getString(1) : null;
                    }
                }
            }
            return last;
        }
    }
}
