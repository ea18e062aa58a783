package io.dataplatform.trino.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The image's health check ({@code HEALTHCHECK}, Kubernetes exec probes): exits 0 only when this node can do its
 * job. A worker must be up and ACTIVE; a coordinator must answer a real query through the statement protocol and
 * see at least one active node that runs splits, because until then every query fails with "No nodes available".
 */
public final class TrinoHealthCheck {
    private static final Pattern NEXT_URI = Pattern.compile("\"nextUri\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\\{.*?\"message\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern DATA = Pattern.compile("\"data\"\\s*:\\s*\\[\\s*\\[\\s*(\\d+)");
    /** Below Docker's 5 s health check timeout. */
    private static final Duration QUERY_DEADLINE = Duration.ofSeconds(3);
    static {
        // Read once, when the JDK's HTTP client is first used: the HTTPS self-check on loopback cannot match the
        // certificate's names (the service's), and trusts whatever answers on this node's own port.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private TrinoHealthCheck() {}

    public static void main(String[] args) {
        try {
            // Only the work directory: the role and ports are read from what the launcher wrote there.
            String verdict = check(NodeConfiguration.workDirectory(System.getenv()));
            System.out.println(verdict);
            System.exit(verdict.startsWith("ready") ? 0 : 1);
        }
        catch (Exception e) {
            System.out.println("not ready: " + e.getMessage());
            System.exit(1);
        }
    }

    static String check(Path workDirectory) throws IOException, InterruptedException {
        Path config = workDirectory.resolve("config.properties");
        if (!Files.exists(config)) {
            return "not ready: the launcher has not written " + config + " yet";
        }
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(config)) {
            properties.load(reader);
        }
        String base = "http://127.0.0.1:" + properties.getProperty("http-server.http.port", "8080");
        String state = get(base + "/v1/info/state").replace("\"", "").strip();
        if (!state.equals("ACTIVE")) {
            return "not ready: node state " + state;
        }
        if (!Boolean.parseBoolean(properties.getProperty("coordinator", "false"))) {
            return "ready: worker ACTIVE";
        }
        boolean includeCoordinator = Boolean.parseBoolean(
                properties.getProperty("node-scheduler.include-coordinator", "true"));
        if (properties.containsKey("http-server.authentication.type")) {
            return securedCoordinator(properties, base, includeCoordinator);
        }
        String sql = "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'"
                + (includeCoordinator ? "" : " AND NOT coordinator");
        Optional<Long> nodes = query(base, sql);
        if (nodes.isEmpty()) {
            // Without a node for its stages the query waits in the queue: that is the answer, not an error.
            return "not ready: no active node to run splits yet (a query did not finish within %d s)"
                    .formatted(QUERY_DEADLINE.toSeconds());
        }
        return nodes.get() > 0 ? "ready: coordinator, %d active node(s) for splits".formatted(nodes.get())
                : "not ready: no active node to run splits yet";
    }

    /**
     * With authentication on, nobody may query over plain HTTP, and the health check has no user's credentials: it
     * asks what a node may ask. Users can log in once Trino has read the identity provider's discovery document (the
     * Web UI then redirects to it instead of failing); splits can run once a worker has announced itself, which the
     * node list shows to a request signed with the nodes' shared secret.
     */
    private static String securedCoordinator(Properties properties, String base, boolean includeCoordinator)
            throws IOException, InterruptedException {
        if (properties.getProperty("http-server.authentication.type").toLowerCase(java.util.Locale.ROOT)
                .contains("oauth2")) {
            int status = loopbackHttps(properties).send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                            + properties.getProperty("http-server.https.port", "8443") + "/ui/"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 302 && status != 303) {
                return "not ready: the Web UI answers %d, not a redirect to the identity provider (OAuth2 not initialised)"
                        .formatted(status);
            }
        }
        if (includeCoordinator) {
            return "ready: coordinator (secured) runs splits itself";
        }
        String nodes = send(HttpRequest.newBuilder(URI.create(base + "/v1/node")).timeout(Duration.ofSeconds(3))
                .header("X-Trino-Internal-Bearer", InternalToken.of(sharedSecret(properties))).GET().build());
        long workers = Pattern.compile("\"uri\"").matcher(nodes).results().count();
        return workers > 0 ? "ready: coordinator (secured), %d worker(s) announced".formatted(workers)
                : "not ready: no worker has announced itself yet";
    }

    private static String sharedSecret(Properties properties) throws IOException {
        String value = properties.getProperty("internal-communication.shared-secret", "");
        Matcher variable = Pattern.compile("\\$\\{ENV:([A-Za-z0-9_]+)}").matcher(value);
        if (variable.matches()) {
            value = System.getenv().getOrDefault(variable.group(1), "");
        }
        if (value.isEmpty()) {
            throw new IOException("no internal-communication.shared-secret to sign the node list request with");
        }
        return value;
    }

    /** HTTPS to this node's own port on loopback: its certificate names the service, not 127.0.0.1. */
    private static HttpClient loopbackHttps(Properties properties) throws IOException {
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String type) {}

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String type) {}

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(2)).build();
        }
        catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static Optional<Long> query(String base, String sql) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/statement"))
                .timeout(Duration.ofSeconds(5))
                .header("X-Trino-User", "platform-healthcheck")
                .header("X-Trino-Source", "platform-healthcheck")
                .POST(HttpRequest.BodyPublishers.ofString(sql))
                .build();
        long deadline = System.nanoTime() + QUERY_DEADLINE.toNanos();
        String body = send(request);
        Optional<Long> result = Optional.empty();
        while (true) {
            Matcher error = ERROR.matcher(body);
            if (error.find()) {
                throw new IOException("query failed: " + error.group(1));
            }
            Matcher data = DATA.matcher(body);
            if (data.find()) {
                result = Optional.of(Long.parseLong(data.group(1)));
            }
            Matcher next = NEXT_URI.matcher(body);
            if (!next.find()) {
                return result;
            }
            URI nextUri = URI.create(next.group(1));
            if (System.nanoTime() > deadline) {
                // Cancel it: a probe must not leave queries behind.
                CLIENT.send(HttpRequest.newBuilder(nextUri).timeout(Duration.ofSeconds(2))
                        .header("X-Trino-User", "platform-healthcheck").DELETE().build(),
                        HttpResponse.BodyHandlers.discarding());
                return Optional.empty();
            }
            body = send(HttpRequest.newBuilder(nextUri).timeout(Duration.ofSeconds(5))
                    .header("X-Trino-User", "platform-healthcheck").GET().build());
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build());
    }

    private static String send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("%s answered HTTP %d".formatted(request.uri(), response.statusCode()));
        }
        return response.body();
    }
}
