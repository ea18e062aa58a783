package io.dataplatform.it;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/**
 * A node of the platform's Trino image. The container is up when the node is ACTIVE; a cluster is ready for tests
 * when {@link #awaitQueries(int)} has run a real query through the coordinator.
 */
final class TrinoContainer extends GenericContainer<TrinoContainer> {
    static final int HTTP_PORT = 8080;
    static final int HTTPS_PORT = 8443;
    static final String TLS_DIRECTORY = "/etc/trino/tls";
    static final String CONFIG_DIRECTORY = "/etc/trino";

    private final String role;
    private final Map<String, String> files = new LinkedHashMap<>();
    private String discoveryUri;
    private boolean https;
    private boolean oidc;

    TrinoContainer(PlatformImage image, String role) {
        super(image.name());
        this.role = role;
    }

    TrinoContainer withDiscoveryUri(String uri) {
        this.discoveryUri = uri;
        return this;
    }

    TrinoContainer withCatalog(String name, String properties) {
        return withConfigFile("catalog/" + name + ".properties", properties);
    }

    /**
     * Users' groups from the platform's file group provider, as the Argo CD tree configures it: {@code groups} is
     * the groups file ({@code <group>: <user>, <user>}), mounted at /etc/trino/groups.txt.
     */
    TrinoContainer withGroups(String groups) {
        return withConfigFile("group-provider.properties", """
                group-provider.name=platform-file
                file-group-provider.groups-file=/etc/trino/groups.txt
                file-group-provider.refresh-period=1s
                """).withConfigFile("groups.txt", groups);
    }

    /**
     * HTTPS with the certificate and key of {@code tlsSecret} (tls.crt, tls.key: {@link TlsCertificate#pemFiles}),
     * mounted as Kubernetes mounts a TLS Secret, and the nodes' shared secret, as the Argo CD tree sets them.
     */
    TrinoContainer withTls(java.nio.file.Path tlsSecret, String sharedSecret) {
        https = true;
        withReadOnlyBind(tlsSecret, TLS_DIRECTORY);
        withEnv("TRINO_TLS_DIR", TLS_DIRECTORY);
        return withEnv("TRINO_SHARED_SECRET", sharedSecret);
    }

    /**
     * Users authenticated by the identity provider at {@code issuer} (OAuth2 for the Web UI, its tokens as bearer
     * tokens); needs {@link #withTls}. The node is up once its Web UI redirects to the provider.
     */
    TrinoContainer withOidc(String issuer, String clientSecret) {
        oidc = true;
        withEnv("TRINO_OIDC_ISSUER", issuer);
        return withEnv("TRINO_OIDC_CLIENT_SECRET", clientSecret);
    }

    /** {@code host} mounted read-only at {@code path}, as a Secret is in a pod. */
    TrinoContainer withReadOnlyBind(java.nio.file.Path host, String path) {
        // A bind of our own: withFileSystemBind first probes bind support with an image it would have to pull.
        return withCreateContainerCmdModifier(command -> {
            var hostConfig = command.getHostConfig();
            var binds = new java.util.ArrayList<com.github.dockerjava.api.model.Bind>(
                    hostConfig.getBinds() == null ? List.of() : List.of(hostConfig.getBinds()));
            binds.add(com.github.dockerjava.api.model.Bind.parse(host + ":" + path + ":ro"));
            hostConfig.withBinds(binds);
        });
    }

    /** The HTTPS address on loopback (its certificate names localhost). */
    String httpsUrl() {
        return "https://localhost:%d".formatted(getMappedPort(HTTPS_PORT));
    }

    /** A file under /etc/trino, as a ConfigMap would mount it. */
    TrinoContainer withConfigFile(String relativePath, String content) {
        files.put(CONFIG_DIRECTORY + "/" + relativePath, content);
        return this;
    }

    @Override
    protected void configure() {
        withCommand(role);
        // Small heaps for the tests; production takes the container's limit (MaxRAMPercentage in the image).
        withEnv("JDK_JAVA_OPTIONS", "-Xmx640M");
        if (discoveryUri != null) {
            withEnv("TRINO_DISCOVERY_URI", discoveryUri);
        }
        if (https) {
            withExposedPorts(HTTP_PORT, HTTPS_PORT);
        }
        else {
            withExposedPorts(HTTP_PORT);
        }
        files.forEach((path, content) -> withCopyToContainer(
                Transferable.of(content.getBytes(StandardCharsets.UTF_8), 0644), path));
        // A node that exits (bad configuration) fails the start at once instead of after the timeout.
        withStartupAttempts(1);
        // With OAuth2, Trino reads the provider's discovery document a moment after it is ACTIVE; until then its
        // Web UI fails instead of redirecting (the image's health check waits for the same).
        waitingFor(new FailFastWait(oidc
                ? Wait.forHttps("/ui/").forPort(HTTPS_PORT).allowInsecure().forStatusCode(303)
                : Wait.forHttp("/v1/info/state").forPort(HTTP_PORT).forResponsePredicate(body -> body.contains("ACTIVE")))
                .withStartupTimeout(Duration.ofMinutes(3)));
    }

    String jdbcUrl() {
        return "jdbc:trino://%s:%d".formatted(getHost(), getMappedPort(HTTP_PORT));
    }

    Connection connect(String user) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, null);
    }

    /** The node id Trino uses: the container's host name (the pod name on Kubernetes). */
    String nodeId() {
        return getContainerInfo().getConfig().getHostName();
    }

    /**
     * Waits until the coordinator answers a real query that needs {@code workers} active workers. Queries fail
     * with "No nodes available" for several seconds after the nodes report ACTIVE.
     */
    void awaitQueries(int workers) {
        awaitQueries(workers, "readiness");
    }

    /** As {@link #awaitQueries(int)}, as a user the access control lets read system.runtime and tpch. */
    void awaitQueries(int workers, String user) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        SQLException last = null;
        while (Instant.now().isBefore(deadline)) {
            try (Connection connection = connect(user);
                    Statement statement = connection.createStatement()) {
                long active = single(statement, "SELECT count(*) FROM system.runtime.nodes "
                        + "WHERE state = 'active' AND NOT coordinator");
                if (active >= workers && single(statement, "SELECT count(*) FROM tpch.tiny.region") == 5) {
                    return;
                }
            }
            catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(500);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Trino did not run a query with %d worker(s) in time".formatted(workers), last);
    }

    String readFile(String path) {
        return copyFileFromContainer(path, input -> new String(input.readAllBytes(), StandardCharsets.UTF_8));
    }

    private static long single(Statement statement, String sql) throws SQLException {
        try (ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
