package io.dataplatform.it;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;

/**
 * A team's Airflow REST API (/api/v2) through a port forward to its api-server Service, as the admin of the simple
 * auth manager (a token from /auth/token).
 */
final class AirflowApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final LocalPortForward forward;
    private final String base;
    private final String token;

    AirflowApi(KubernetesClient client, String namespace, String password) throws Exception {
        forward = client.services().inNamespace(namespace).withName("airflow-api-server").portForward(8080);
        base = "http://127.0.0.1:" + forward.getLocalPort();
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/auth/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(java.util.Map.of(
                        "username", "admin", "password", password))))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (login.statusCode() / 100 != 2) {
            forward.close();
            StringBuilder logs = new StringBuilder();
            client.pods().inNamespace(namespace).withLabel("app.kubernetes.io/component", "api-server").list().getItems()
                    .forEach(pod -> logs.append(client.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
                            .inContainer("api-server").tailingLines(60).getLog()));
            throw new IllegalStateException("login to the Airflow of " + namespace + ": " + login.statusCode() + " "
                    + login.body() + "\napi-server log:\n" + logs);
        }
        token = JSON.readTree(login.body()).path("access_token").asText();
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
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
