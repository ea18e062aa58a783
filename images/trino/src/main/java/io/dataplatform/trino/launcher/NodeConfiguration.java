package io.dataplatform.trino.launcher;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.dataplatform.launcher.Launcher;

import static java.util.Objects.requireNonNull;

/**
 * A node's configuration, derived from its role, the environment and the operator's mounted
 * {@code /etc/trino/config.properties} (whose settings always win over the derived ones).
 *
 * <table>
 * <caption>Environment</caption>
 * <tr><td>TRINO_ROLE</td><td>coordinator, worker or single (default single)</td></tr>
 * <tr><td>TRINO_NODE_ID</td><td>default: HOSTNAME (the pod name on Kubernetes), dots replaced by '-'</td></tr>
 * <tr><td>TRINO_ENVIRONMENT</td><td>node.environment, default {@code platform}</td></tr>
 * <tr><td>TRINO_DISCOVERY_URI</td><td>required for workers; default for others http://localhost:PORT</td></tr>
 * <tr><td>TRINO_HTTP_PORT</td><td>default 8080</td></tr>
 * <tr><td>TRINO_CONFIG_DIR</td><td>where mounted configuration lives, default /etc/trino</td></tr>
 * <tr><td>TRINO_WORK_DIR</td><td>generated configuration and node data, default ~/trino</td></tr>
 * <tr><td>TRINO_OPA_URL</td><td>the platform's OPA (e.g. http://opa.platform.svc:8181): the coordinator asks its
 * {@code trino} policies for every access, row filter and column mask; unset: Trino's default (allow all)</td></tr>
 * </table>
 */
public record NodeConfiguration(Role role, String nodeId, String environment, String discoveryUri, int httpPort,
        Path configDirectory, Path workDirectory, Optional<URI> opaUrl) {
    public NodeConfiguration {
        requireNonNull(role, "role is null");
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(environment, "environment is null");
        requireNonNull(discoveryUri, "discoveryUri is null");
        requireNonNull(configDirectory, "configDirectory is null");
        requireNonNull(workDirectory, "workDirectory is null");
        requireNonNull(opaUrl, "opaUrl is null");
        if (!nodeId.matches("[A-Za-z0-9][_A-Za-z0-9-]*")) {
            throw new IllegalArgumentException("Node id '%s' is not valid: letters, digits, '_', '-' (TRINO_NODE_ID)"
                    .formatted(nodeId));
        }
        if (!environment.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("TRINO_ENVIRONMENT '%s' must be lower-case letters, digits or '_'"
                    .formatted(environment));
        }
    }

    public enum Role {
        COORDINATOR, WORKER, SINGLE;

        String label() {
            return Launcher.label(this);
        }

        static Role parse(String value) {
            return Launcher.role(Role.class, value, "argument or TRINO_ROLE");
        }
    }

    public static NodeConfiguration from(String roleArgument, Map<String, String> environment,
            Supplier<String> hostName) {
        Role role = Role.parse(roleArgument != null ? roleArgument : environment.getOrDefault("TRINO_ROLE", "single"));
        // Trino's node ids have no dots: a fully qualified host name becomes trino-1-example-com.
        String nodeId = firstNonBlank(environment.get("TRINO_NODE_ID"),
                firstNonBlank(environment.get("HOSTNAME"), hostName.get()).replace('.', '-'));
        int port;
        try {
            port = Integer.parseInt(environment.getOrDefault("TRINO_HTTP_PORT", "8080"));
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("TRINO_HTTP_PORT is not a port number: "
                    + environment.get("TRINO_HTTP_PORT"), e);
        }
        String discovery = environment.get("TRINO_DISCOVERY_URI");
        if (discovery == null || discovery.isBlank()) {
            if (role == Role.WORKER) {
                throw new IllegalArgumentException("A worker needs TRINO_DISCOVERY_URI (the coordinator's URL)");
            }
            discovery = "http://localhost:" + port;
        }
        return new NodeConfiguration(role, nodeId, environment.getOrDefault("TRINO_ENVIRONMENT", "platform"),
                discovery, port, Path.of(environment.getOrDefault("TRINO_CONFIG_DIR", "/etc/trino")),
                workDirectory(environment), opaUrl(environment.get("TRINO_OPA_URL")));
    }

    private static Optional<URI> opaUrl(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(value.strip().replaceAll("/+$", ""));
            if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) || uri.getHost() == null
                    || (uri.getPath() != null && !uri.getPath().isEmpty()) || uri.getQuery() != null) {
                throw new URISyntaxException(value, "not a server address");
            }
            return Optional.of(uri);
        }
        catch (URISyntaxException e) {
            throw new IllegalArgumentException(("TRINO_OPA_URL '%s' is not OPA's address: http(s)://host:port, "
                    + "without a path (the launcher adds the policy paths)").formatted(value), e);
        }
    }

    /** Where the launcher writes the node's configuration and data; the health check reads it from there. */
    public static Path workDirectory(Map<String, String> environment) {
        Path home = Path.of(System.getProperty("user.home", "/home/platform"));
        return Path.of(environment.getOrDefault("TRINO_WORK_DIR", home.resolve("trino").toString()));
    }

    public Path userConfig() {
        return configDirectory.resolve("config.properties");
    }

    /** Where catalogs are mounted (ConfigMaps). */
    public Path mountedCatalogs() {
        return configDirectory.resolve("catalog");
    }

    /** The catalogs Trino reads: the mounted ones plus those the launcher renders (the lakehouse). */
    public Path catalogDirectory() {
        return workDirectory.resolve("catalog");
    }

    public Path dataDirectory() {
        return workDirectory.resolve("data");
    }

    /** Where the launcher writes the OPA access control's settings (only a coordinator decides on access). */
    public Path accessControlFile() {
        return workDirectory.resolve("access-control.properties");
    }

    /** Trino's OPA access control on the platform's policies (opa-policies, package trino), if OPA is set. */
    public Optional<String> accessControlProperties() {
        if (opaUrl.isEmpty() || role == Role.WORKER) {
            return Optional.empty();
        }
        String base = opaUrl.get() + "/v1/data/trino/";
        return Optional.of("""
                # Written by the platform launcher from TRINO_OPA_URL.
                access-control.name=opa
                opa.policy.uri=%1$sallow
                opa.policy.batched-uri=%1$sbatch
                opa.policy.row-filters-uri=%1$srow_filters
                opa.policy.column-masking-uri=%1$scolumn_mask
                """.formatted(base));
    }

    /** The derived settings, overridden by any the operator set in the mounted config.properties. */
    public String configProperties(String userConfig) {
        return configProperties(userConfig, Map.of());
    }

    /** As {@link #configProperties(String)}, with more derived settings (e.g. {@link Security#properties}). */
    public String configProperties(String userConfig, Map<String, String> derived) {
        Map<String, String> properties = new TreeMap<>(derived);
        properties.put("coordinator", String.valueOf(role != Role.WORKER));
        if (role != Role.WORKER) {
            properties.put("node-scheduler.include-coordinator", String.valueOf(role == Role.SINGLE));
        }
        properties.put("http-server.http.port", String.valueOf(httpPort));
        properties.put("discovery.uri", discoveryUri);
        properties.put("catalog.config-dir", catalogDirectory().toString());
        properties.put("plugin.dir", "/usr/lib/trino/plugin");
        if (accessControlProperties().isPresent()) {
            properties.put("access-control.config-files", accessControlFile().toString());
        }
        Properties user = new Properties();
        try {
            user.load(new StringReader(userConfig));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        user.stringPropertyNames().forEach(name -> properties.put(name, user.getProperty(name)));
        StringBuilder text = new StringBuilder("# Written by the platform launcher at start; edit "
                + userConfig() + " instead.\n");
        properties.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    /** node.* settings go in as system properties, as Trino's own launcher passes them. */
    public Map<String, String> systemProperties() {
        return Map.of(
                "node.id", nodeId,
                "node.environment", environment,
                "node.data-dir", dataDirectory().toString());
    }

    private static String firstNonBlank(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        throw new IllegalArgumentException("No node id: set TRINO_NODE_ID or HOSTNAME");
    }
}
