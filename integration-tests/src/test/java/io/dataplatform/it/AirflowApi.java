package io.dataplatform.it;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;

/**
 * A team's Airflow REST API (/api/v2) through a port forward to its api-server Service (at {@code localhost}, a
 * redirect address the realm's Airflow client allows), as a user of the development realm: logged in as a browser
 * does, through the platform's auth manager and the cluster's Keycloak (reached by a second port forward where
 * redirects name {@code keycloak.platform.svc:8080}); Airflow's token from its {@code _token} cookie, then sent as
 * a bearer token.
 */
final class AirflowApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final LocalPortForward forward;
    private final String base;
    private final String token;

    /** Where a login ended: the last page, and Airflow's token if the user got one. */
    record Login(int status, String page, Optional<String> token, Duration took) {}

    AirflowApi(KubernetesClient client, String namespace, String user) throws Exception {
        forward = client.services().inNamespace(namespace).withName("airflow-api-server").portForward(8080);
        base = "http://localhost:" + forward.getLocalPort();
        Login login = logInAt(client, base, user, "dev-" + user + "-password");
        if (login.token().isEmpty()) {
            forward.close();
            StringBuilder logs = new StringBuilder();
            client.pods().inNamespace(namespace).withLabel("app.kubernetes.io/component", "api-server").list().getItems()
                    .forEach(pod -> logs.append(client.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
                            .inContainer("api-server").tailingLines(60).getLog()));
            throw new IllegalStateException("login of " + user + " to the Airflow of " + namespace + ": " + login.status()
                    + " " + login.page() + "\napi-server log:\n" + logs);
        }
        token = login.token().get();
    }

    /** {@code user} (password dev-{@code user}-password) logs in to the Airflow of {@code namespace}. */
    static Login logIn(KubernetesClient client, String namespace, String user) throws Exception {
        return logIn(client, namespace, user, "dev-" + user + "-password");
    }

    static Login logIn(KubernetesClient client, String namespace, String user, String password) throws Exception {
        try (LocalPortForward airflow = client.services().inNamespace(namespace).withName("airflow-api-server")
                .portForward(8080)) {
            return logInAt(client, "http://localhost:" + airflow.getLocalPort(), user, password);
        }
    }

    private static Login logInAt(KubernetesClient client, String base, String user, String password) throws Exception {
        ClusterLogin.Result login = ClusterLogin.logIn(client, URI.create(base + "/auth/login"), user, password,
                location -> false);
        return new Login(login.page().statusCode(), login.page().body(), login.browser().cookie("localhost", "_token"),
                login.took());
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    /** GET {@code path} with another token than this API's: "status body". */
    String getWithToken(String otherToken, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + otherToken).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    JsonNode post(String path, Object body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    JsonNode patch(String path, Object body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    /**
     * A task's log so far (try {@code attempt}), one line per structured entry: "timestamp event"; an exception's
     * entry is followed by a line per exception of its chain, "  type: message" (what the UI shows under it).
     */
    String log(String dag, String run, String task, int attempt) throws IOException, InterruptedException {
        JsonNode log = get("/api/v2/dags/%s/dagRuns/%s/taskInstances/%s/logs/%d?full_content=true".formatted(dag,
                encode(run), task, attempt));
        StringBuilder text = new StringBuilder();
        JsonNode content = log.path("content");
        if (content.isTextual()) {
            return content.asText();
        }
        for (JsonNode entry : content) {
            text.append(entry.path("timestamp").asText("")).append(' ').append(entry.path("event").asText("")).append('\n');
            for (JsonNode error : entry.path("error_detail")) {
                text.append("  ").append(error.path("exc_type").asText("")).append(": ")
                        .append(error.path("exc_value").asText("")).append('\n');
            }
        }
        return text.toString();
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json").timeout(Duration.ofSeconds(30));
    }

    private static JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(request.build().method() + " " + request.build().uri().getPath() + ": "
                    + response.statusCode() + " " + response.body());
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    @Override
    public void close() throws IOException {
        forward.close();
    }
}
