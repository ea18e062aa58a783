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
    static final String CONFIG_DIRECTORY = "/etc/trino";

    private final String role;
    private final Map<String, String> files = new LinkedHashMap<>();
    private String discoveryUri;

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
        withExposedPorts(HTTP_PORT);
        files.forEach((path, content) -> withCopyToContainer(
                Transferable.of(content.getBytes(StandardCharsets.UTF_8), 0644), path));
        // A node that exits (bad configuration) fails the start at once instead of after the timeout.
        withStartupAttempts(1);
        waitingFor(new FailFastWait(Wait.forHttp("/v1/info/state").forPort(HTTP_PORT)
                .forResponsePredicate(body -> body.contains("ACTIVE")))
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
