package io.dataplatform.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.dataplatform.gitops.sync.Application;
import io.dataplatform.gitops.sync.ArgoCdDefinitions;
import io.dataplatform.gitops.sync.Sync;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The development platform, shared by the test classes that need it (started once per test JVM, stopped when it
 * exits): beside the cluster, on its own Docker network, the dev site's Kerberized HDFS with its KDC
 * ({@code *.dev.platform.example}, realm {@code DEV.PLATFORM.EXAMPLE}, the names the dev environment's client
 * settings use); and the Kubernetes node on that network with every image the dev environment runs, its cluster DNS
 * serving the site's names both ways. {@link #deploy} syncs the tree's dev environment onto it as Argo CD would.
 */
final class DevelopmentPlatform {
    static final String REALM = "DEV.PLATFORM.EXAMPLE";
    static final String DOMAIN = "dev.platform.example";
    static final String CATALOG_PASSWORD = "iceberg-dev-secret";
    /** Trino's client at the development identity provider (images/keycloak's realm). */
    static final String TRINO_CLIENT_SECRET = "dev-trino-client-secret";
    /**
     * An image-probe check that queries the cluster's Trino as {@code user} of the development realm: a token from the
     * cluster's Keycloak (password grant of Trino's client), then HTTPS to the trino Service with it.
     */
    static String trinoQuery(String user, String sql) {
        return "trino:https://trino.platform.svc:8443|token:http://keycloak.platform.svc:8080/realms/platform|trino:"
                + TRINO_CLIENT_SECRET + "|" + user + ":dev-" + user + "-password|" + sql;
    }
    /** The platform's and the first team's principals in the dev realm (the keytab Secrets hold them), and people's. */
    private static final String USERS = """
            trino keytab=trino.keytab
            # Trino's service principal for Kerberos clients (SPNEGO), in the same keytab
            HTTP/trino.platform.svc keytab=trino.keytab
            # the data-engineering team's scheduled jobs
            etl keytab=etl.keytab
            # the marketing team's (AirflowOnKubernetesIT onboards it)
            etl-marketing keytab=etl-marketing.keytab
            # people of the realm, with their realm passwords (production: one directory behind the identity provider
            # and the KDC), for kinit in their notebook servers
            alice password=dev-alice-password
            bob password=dev-bob-password
            """;
    private static final String JUPYTERHUB_DATABASE_PASSWORD = "dev-jupyterhub";
    /** The development realm's client for every team's Airflow (images/keycloak/src/main/realm). */
    static final String AIRFLOW_CLIENT_SECRET = "dev-airflow-client-secret";
    private static final List<String> IMAGES = List.of("base-os", "jre-25", "postgres", "opa", "keycloak", "trino", "spark",
            "airflow", "airflow-spark", "jupyterhub", "notebook");
    private static DevelopmentPlatform shared;

    final PlatformNetwork network;
    /** The site's OPA: the NameNode's authoriser asks it (the platform's hdfs policies), as on the operator's hosts. */
    final OpaContainer opa;
    final HdfsCluster hdfs;
    final KubernetesNodeContainer node;
    final KubernetesClient client;
    final Duration startup;
    private final Path directory;
    private List<Application> applications;
    private List<Sync.Result> firstSync;
    private Duration deployment;

    private DevelopmentPlatform() throws Exception {
        Instant started = Instant.now();
        directory = Files.createTempDirectory("development-platform");
        network = PlatformNetwork.site(DOMAIN, PlatformNetwork.SITE_SUBNET,
                "kdc", "namenode", "datanode1", "datanode2", "opa");
        opa = network.attach(new OpaContainer(), "opa");
        opa.start();
        try {
            hdfs = HdfsCluster.startSite(directory.resolve("hdfs"), network, REALM, USERS, Map.of(
                    "HDFS_OPA_URL", "http://" + network.name("opa") + ":" + OpaContainer.PORT,
                    // The realm's people and the team's job principal, in their groups (production: LDAP, the same
                    // directory the identity provider federates).
                    "HDFS_USER_GROUPS", realmUserGroups() + "etl=team-data-engineering;etl-marketing=team-marketing;"));
        }
        catch (Exception | Error e) {
            opa.close();
            throw e;
        }
        node = new KubernetesNodeContainer(PlatformImage.of("kubernetes-node"));
        try {
            hdfs.createWarehouse("etl");
            network.hosts().forEach(node::withOutsideHost);
            for (String image : IMAGES) {
                node.withImage(PlatformImage.of(image));
            }
            node.withNetwork(network.network()).start();
            client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(node.kubeconfig())).build();
        }
        catch (Exception | Error e) {
            node.close();
            hdfs.close();
            opa.close();
            throw e;
        }
        startup = Duration.between(started, Instant.now());
    }

    /** The development realm's users and their groups, as the NameNode's static mapping ('alice=team-x;bob=a,b;'). */
    static String realmUserGroups() throws java.io.IOException {
        Path realm = Path.of(System.getProperty("platform.root"), "images/keycloak/src/main/realm/platform-realm.json");
        StringBuilder mapping = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonNode user : new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(realm.toFile()).path("users")) {
            List<String> groups = new ArrayList<>();
            user.path("groups").forEach(group -> groups.add(group.asText().replaceFirst("^/", "")));
            mapping.append(user.path("username").asText()).append('=').append(String.join(",", groups)).append(';');
        }
        return mapping.toString();
    }

    private static Throwable failed;

    /** The platform of this test JVM, started on first use. */
    static synchronized DevelopmentPlatform shared() throws Exception {
        if (failed != null) {
            throw new IllegalStateException("the development platform failed to start (see the first test class using it)", failed);
        }
        if (shared == null) {
            try {
                shared = new DevelopmentPlatform();
            }
            catch (Exception | Error e) {
                failed = e;
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "development-platform-stop"));
        }
        return shared;
    }

    /**
     * The dev environment, deployed once: the platform team's Secrets (what it creates by hand in every
     * environment: README), then every Application synced in sync waves until healthy. Returns the first sync.
     */
    synchronized List<Sync.Result> deploy() throws Exception {
        if (firstSync == null) {
            applications = render(directory);
            createPlatformSecrets();
            // What the platform team creates with the team (README, onboarding): the first team's Secrets.
            createTeamSecrets("team-data-engineering");
            Instant started = Instant.now();
            firstSync = sync().sync(applications, Duration.ofMinutes(6));
            deployment = Duration.between(started, Instant.now());
            System.out.printf("[platform] node started in %d s; dev environment applied and healthy in %d s%n",
                    startup.toSeconds(), deployment.toSeconds());
            printNodeMemory("with the dev environment running");
        }
        return firstSync;
    }

    List<Application> applications() {
        return applications;
    }

    Duration deployment() {
        return deployment;
    }

    /** The dev environment's Applications, rendered by the tree's renderer (the argocd module's validate binary). */
    static List<Application> render(Path directory) throws Exception {
        Path root = Path.of(System.getProperty("platform.root")).toAbsolutePath().normalize();
        return render(directory, root.resolve("argocd"));
    }

    /** The dev environment's Applications of the Argo CD tree at {@code argocd} (e.g. a copy with a new team). */
    static List<Application> render(Path directory, Path argocd) throws Exception {
        Path root = Path.of(System.getProperty("platform.root")).toAbsolutePath().normalize();
        Path output = directory.resolve("applications-dev-" + System.nanoTime() + ".json");
        RepositoryCopy.Run render = RepositoryCopy.run(root, root.resolve("argocd/target/validate").toString(),
                "-applications", "dev=" + output, argocd.toString());
        if (render.status() != 0) {
            throw new IllegalStateException("rendering the dev applications failed: " + render.output());
        }
        List<Application> applications = new ArrayList<>();
        applications.add(ArgoCdDefinitions.application());
        applications.addAll(Application.read(output));
        return applications;
    }

    private void createPlatformSecrets() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("platform").endMetadata().build())
                .serverSideApply();
        Path tls = TlsCertificate.pemFiles(directory.resolve("tls"), "postgresql.platform.svc",
                List.of("postgresql.platform.svc", "postgresql.platform.svc.cluster.local", "localhost"));
        secret("platform", "postgresql-tls", "kubernetes.io/tls", Map.of(
                "tls.crt", Files.readAllBytes(tls.resolve("tls.crt")),
                "tls.key", Files.readAllBytes(tls.resolve("tls.key"))));
        secret("platform", "postgresql-credentials", "Opaque", Map.of(
                "superuser-password", "dev-superuser".getBytes(),
                "databases", ("iceberg:iceberg:" + CATALOG_PASSWORD + ",airflow_data_engineering:airflow_data_engineering:"
                        + airflowDatabasePassword("team-data-engineering") + ",jupyterhub:jupyterhub:"
                        + JUPYTERHUB_DATABASE_PASSWORD).getBytes()));
        secret("platform", "lakehouse-catalog", "Opaque", Map.of("LAKEHOUSE_JDBC_PASSWORD", CATALOG_PASSWORD.getBytes()));
        secret("platform", "trino-keytab", "Opaque", Map.of("trino.keytab", Files.readAllBytes(hdfs.keytab("trino.keytab"))));
        Path trinoTls = TlsCertificate.pemFiles(directory.resolve("trino-tls"), "trino.platform.svc",
                List.of("trino.platform.svc", "trino.platform.svc.cluster.local", "trino", "localhost"));
        secret("platform", "trino-tls", "kubernetes.io/tls", Map.of(
                "tls.crt", Files.readAllBytes(trinoTls.resolve("tls.crt")),
                "tls.key", Files.readAllBytes(trinoTls.resolve("tls.key"))));
        secret("platform", "trino-secrets", "Opaque", Map.of(
                "shared-secret", ("dev-" + java.util.UUID.randomUUID()).getBytes(),
                // The development realm's client secret (images/keycloak/src/main/realm).
                "oidc-client-secret", TRINO_CLIENT_SECRET.getBytes()));
        // The template of the users' notebook namespaces (its app creates it too; the hub copies these into each
        // user's): the CA bundle the connectors check Trino with.
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("notebooks").endMetadata().build())
                .serverSideApply();
        client.configMaps().inNamespace("notebooks").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("platform-ca").endMetadata()
                .withData(Map.of("ca.crt", Files.readString(trinoTls.resolve("tls.crt")))).build())
                .serverSideApply();
        // The notebooks' Spark drivers' catalog password (as in a team's namespace; HDFS they reach as their users).
        secret("notebooks", "lakehouse-catalog", "Opaque", Map.of("LAKEHOUSE_JDBC_PASSWORD", CATALOG_PASSWORD.getBytes()));
        secret("platform", "jupyterhub", "Opaque", Map.of(
                "JUPYTERHUB_DATABASE_PASSWORD", JUPYTERHUB_DATABASE_PASSWORD.getBytes(),
                "JPY_COOKIE_SECRET", java.util.HexFormat.of().formatHex(new java.security.SecureRandom()
                        .generateSeed(32)).getBytes(),
                "JUPYTERHUB_CRYPT_KEY", java.util.HexFormat.of().formatHex(new java.security.SecureRandom()
                        .generateSeed(32)).getBytes(),
                // The development realm's client secret (images/keycloak/src/main/realm).
                "JUPYTERHUB_OIDC_CLIENT_SECRET", "dev-jupyterhub-client-secret".getBytes()));
    }

    /**
     * A team's Secrets: the catalog password, the keytab of its scheduled jobs' principal, and its Airflow's (the
     * database owner's password, the api-server's signing secrets, the realm client's secret, the tasks' keytab); and
     * ConfigMap platform-ca, the CA bundle its clients check the platform's services with.
     */
    void createTeamSecrets(String namespace) throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                .serverSideApply();
        String principal = namespace.equals("team-data-engineering") ? "etl" : "etl-" + namespace.substring("team-".length());
        byte[] keytab = Files.readAllBytes(hdfs.keytab(principal + ".keytab"));
        secret(namespace, "lakehouse-catalog", "Opaque", Map.of("LAKEHOUSE_JDBC_PASSWORD", CATALOG_PASSWORD.getBytes()));
        secret(namespace, principal + "-keytab", "Opaque", Map.of(principal + ".keytab", keytab));
        secret(namespace, "airflow", "Opaque", Map.of(
                "AIRFLOW_DATABASE_PASSWORD", airflowDatabasePassword(namespace).getBytes(),
                "AIRFLOW__API_AUTH__JWT_SECRET", ("dev-jwt-" + namespace).getBytes(),
                "AIRFLOW__API__SECRET_KEY", ("dev-secret-key-" + namespace).getBytes(),
                "AIRFLOW__PLATFORM_AUTH__CLIENT_SECRET", AIRFLOW_CLIENT_SECRET.getBytes()));
        secret(namespace, "airflow-keytab", "Opaque", Map.of("keytab", keytab));
        // The CA bundle of the platform's services: here, Trino's self-signed certificate is its own authority.
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("platform-ca").endMetadata()
                .withData(Map.of("ca.crt", Files.readString(directory.resolve("trino-tls/tls.crt")))).build())
                .serverSideApply();
    }

    static String airflowDatabasePassword(String namespace) {
        return "dev-airflow-" + namespace;
    }

    /**
     * Adds a team's Airflow database to PostgreSQL (what onboarding a team asks of the platform team: README): the
     * database list in its Secret, then a restart, which creates it; returns when PostgreSQL is ready again.
     */
    void addAirflowDatabase(String namespace) throws Exception {
        String name = "airflow_" + namespace.substring("team-".length()).replace('-', '_');
        var credentials = client.secrets().inNamespace("platform").withName("postgresql-credentials").get();
        String databases = new String(Base64.getDecoder().decode(credentials.getData().get("databases")));
        if (!databases.contains(name + ":")) {
            secret("platform", "postgresql-credentials", "Opaque", Map.of(
                    "superuser-password", Base64.getDecoder().decode(credentials.getData().get("superuser-password")),
                    "databases", (databases + "," + name + ":" + name + ":" + airflowDatabasePassword(namespace)).getBytes()));
            String before = client.pods().inNamespace("platform").withName("postgresql-0").get().getMetadata().getUid();
            client.pods().inNamespace("platform").withName("postgresql-0").delete();
            client.pods().inNamespace("platform").withName("postgresql-0").waitUntilCondition(pod -> pod != null
                    && !pod.getMetadata().getUid().equals(before) && pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null
                    && !pod.getStatus().getContainerStatuses().isEmpty()
                    && Boolean.TRUE.equals(pod.getStatus().getContainerStatuses().get(0).getReady()),
                    3, java.util.concurrent.TimeUnit.MINUTES);
            awaitLakehouseInTrino();
        }
    }

    /**
     * After PostgreSQL restarts, Trino's Iceberg JDBC catalog may still hold pooled connections to the old server (the
     * first lakehouse query failed once here, "Cannot check and eventually update SQL schema", before the catalog
     * retried PostgreSQL's shutdown codes): the onboarding step that restarts PostgreSQL ends when a lakehouse query
     * answers through the cluster's Trino, printing each attempt (README).
     */
    private void awaitLakehouseInTrino() {
        for (int attempt = 1; attempt <= 5; attempt++) {
            ProbePods.Finished probe = ProbePods.probe(client, "team-data-engineering", "lakehouse-after-restart-" + attempt,
                    trinoQuery("alice", "SELECT count(*) FROM lakehouse.information_schema.schemata"));
            System.out.printf("[platform] lakehouse query through Trino after the PostgreSQL restart, attempt %d: %s%n",
                    attempt, probe.log().lines().filter(line -> line.startsWith("trino.")).toList());
            if (probe.log().lines().anyMatch(line -> line.startsWith("trino.rows="))) {
                return;
            }
        }
        throw new IllegalStateException("Trino's lakehouse did not answer after the PostgreSQL restart (5 queries)");
    }

    private void secret(String namespace, String name, String type, Map<String, byte[]> data) {
        Map<String, String> encoded = new LinkedHashMap<>();
        data.forEach((key, value) -> encoded.put(key, Base64.getEncoder().encodeToString(value)));
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name)
                .endMetadata().withType(type).withData(encoded).build()).serverSideApply();
    }

    /** The node container's memory (its cgroup's usage less page cache, as docker stats shows it), for the record. */
    void printNodeMemory(String when) {
        Path cgroup = Path.of("/sys/fs/cgroup/memory/docker", node.getContainerId());
        try {
            long usage = Long.parseLong(Files.readString(cgroup.resolve("memory.usage_in_bytes")).strip());
            long cache = Files.readAllLines(cgroup.resolve("memory.stat")).stream()
                    .filter(line -> line.startsWith("total_inactive_file ")).mapToLong(line -> Long.parseLong(line.split(" ")[1]))
                    .findFirst().orElse(0);
            System.out.printf("[platform] node memory %s: %d MiB%n", when, (usage - cache) / (1024 * 1024));
        }
        catch (java.io.IOException | RuntimeException e) {
            System.out.printf("[platform] node memory %s: not readable here (%s)%n", when, e.getMessage());
        }
    }

    Sync sync() {
        return new Sync(client, line -> System.out.println("[platform] " + line));
    }

    private void stop() {
        client.close();
        node.close();
        hdfs.close();
        opa.close();
    }
}
