package io.dataplatform.it;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JupyterHub on the development cluster, from our images and the tree: a user logs in through the realm, is offered
 * the environments of her groups (environments.yaml), starts one — KubeSpawner runs the notebook image in namespace
 * notebooks — and reaches her server through the hub; an environment of other groups is refused even when its
 * option is posted by hand; a tutorial is executed (nbclient) in her server against the platform's Trino, as her;
 * stopping the server removes its pod. Figures are printed with the prefix [jupyterhub].
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JupyterHubOnKubernetesIT {
    private static final String NAMESPACE = "notebooks";
    /** The spawn form's XSRF token: in its action (JupyterHub 5 and later) or a hidden field. */
    private static final Pattern XSRF = Pattern.compile("(?:[?&]_xsrf=|name=\"_xsrf\" value=\")([^\"&]+)");
    private static final Pattern HOME_XSRF = Pattern.compile("xsrf_token: \"([^\"]+)\"");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DevelopmentPlatform platform;
    private static KubernetesClient client;
    private static LocalPortForward hub;
    private static URI base;
    private static Browser alice;

    @BeforeAll
    static void deploy() throws Exception {
        platform = DevelopmentPlatform.shared();
        client = platform.client;
        platform.deploy();
        hub = client.services().inNamespace("platform").withName("jupyterhub").portForward(8000);
        base = URI.create("http://localhost:" + hub.getLocalPort());
        ClusterLogin.Result login = ClusterLogin.logIn(client, base.resolve("/hub/oauth_login"), "alice",
                "dev-alice-password", location -> false);
        assertThat(login.page().statusCode()).as(login.page().body()).isEqualTo(200);
        alice = login.browser();
    }

    @AfterAll
    static void close() throws Exception {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    @Order(1)
    void aUserIsOfferedTheEnvironmentsOfHerGroupsAndAnotherGroupsIsRefusedEvenWhenPosted() throws Exception {
        HttpResponse<String> form = alice.get(base.resolve("/hub/spawn"));
        assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
        assertThat(form.body()).contains("Base: SQL, pandas, PySpark", "Machine learning")
                .doesNotContain("Geo and radio planning");

        // geo is for analysts and platform-admins; alice is in team-data-engineering.
        String token = xsrf(form.body());
        HttpResponse<String> refused = alice.post(base.resolve("/hub/spawn/alice?_xsrf=" + token), Map.of("_xsrf", token,
                "profile", "geo"));
        assertThat(refused.statusCode()).as(refused.body()).isBetween(400, 599);
        assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    }

    @Test
    @Order(2)
    void sheStartsAnEnvironmentAndReachesHerServerThroughTheHub() throws Exception {
        HttpResponse<String> form = alice.get(base.resolve("/hub/spawn"));
        Instant click = Instant.now();
        String token = xsrf(form.body());
        HttpResponse<String> started = alice.post(base.resolve("/hub/spawn/alice?_xsrf=" + token), Map.of("_xsrf", token,
                "profile", "base"));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(302);

        Pod pod = client.pods().inNamespace(NAMESPACE).withName("jupyter-alice").waitUntilCondition(
                candidate -> candidate != null && candidate.getStatus() != null && "Running".equals(candidate.getStatus().getPhase()),
                5, TimeUnit.MINUTES);
        assertThat(pod.getSpec().getContainers().get(0).getImage()).startsWith("platform/notebook:");
        // Through the proxy: the server asks the hub who alice is (OAuth), then serves her.
        HttpResponse<String> lab = await(() -> alice.login(base.resolve("/user/alice/lab"), "alice", "dev-alice-password"),
                page -> page.statusCode() == 200 && page.uri().getPath().startsWith("/user/alice/lab"),
                Duration.ofMinutes(3));
        assertThat(lab.body()).contains("JupyterLab");
        Duration spawn = Duration.between(click, Instant.now());

        String xsrf = alice.cookie("localhost", "_xsrf").orElseThrow();
        HttpResponse<String> kernel = alice.send("POST", base.resolve("/user/alice/api/kernels"),
                Map.of("X-XSRFToken", xsrf, "Content-Type", "application/json"), "{\"name\": \"python3\"}");
        assertThat(kernel.statusCode()).as(kernel.body()).isEqualTo(201);
        String id = JSON.readTree(kernel.body()).path("id").asText();
        kernelInfo(id, xsrf);
        System.out.printf("[jupyterhub] spawn, click to kernel ready: %d ms (server reachable through the hub after %d ms)%n",
                Duration.between(click, Instant.now()).toMillis(), spawn.toMillis());
    }

    /**
     * Asks the kernel for its info over its channels (the WebSocket JupyterLab opens, through the hub's proxy) and
     * returns once it answers: the kernel is ready.
     */
    private static void kernelInfo(String kernel, String xsrf) throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        StringBuilder message = new StringBuilder();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                message.append(data);
                if (last) {
                    if (message.indexOf("\"kernel_info_reply\"") >= 0) {
                        reply.complete(message.toString());
                    }
                    message.setLength(0);
                }
                socket.request(1);
                return null;
            }
        };
        URI channels = URI.create("ws://localhost:" + hub.getLocalPort() + "/user/alice/api/kernels/" + kernel
                + "/channels?session_id=it&_xsrf=" + xsrf);
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Cookie", alice.cookieHeader("localhost"))
                .buildAsync(channels, listener).get(1, TimeUnit.MINUTES);
        String request = """
                {"header": {"msg_id": "it-1", "msg_type": "kernel_info_request", "username": "alice", "session": "it",
                 "date": "", "version": "5.3"}, "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell"}""";
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!reply.isDone() && Instant.now().isBefore(deadline)) {
            socket.sendText(request, true).get(10, TimeUnit.SECONDS);
            try {
                reply.get(5, TimeUnit.SECONDS);
            }
            catch (java.util.concurrent.TimeoutException e) {
                // a kernel still starting drops requests: ask again
            }
        }
        socket.abort();
        assertThat(reply).as("the kernel's kernel_info_reply").isCompleted();
        assertThat(JSON.readTree(reply.get()).path("content").path("status").asText()).isEqualTo("ok");
    }

    @Test
    @Order(3)
    void theTrinoTutorialsRunInHerServerAsHer() throws Exception {
        // Tutorial 1: %sql, connected to Trino as the logged-in user when the kernel starts.
        String sql = outputs(execute("01-sql-on-trino"));
        assertThat(sql).contains("alice", "catalogs you may see: ", "lakehouse").doesNotContain("\"ename\"", "is not connected");
        // Tutorial 2: trino_query to pandas.
        assertThat(outputs(execute("02-pandas"))).contains("busiest hours: [6, 5, 7]").doesNotContain("\"ename\"");
    }

    /** Runs a tutorial of her home in her server with nbclient (as the image has it); returns the executed notebook. */
    private static JsonNode execute(String tutorial) throws Exception {
        Instant started = Instant.now();
        exec("jupyter-execute", "--output=executed-" + tutorial, "tutorials/" + tutorial + ".ipynb");
        System.out.printf("[jupyterhub] tutorial %s executed in her server in %d ms%n", tutorial,
                Duration.between(started, Instant.now()).toMillis());
        return JSON.readTree(exec("cat", "tutorials/executed-" + tutorial + ".ipynb"));
    }

    private static String outputs(JsonNode notebook) {
        StringBuilder outputs = new StringBuilder();
        notebook.path("cells").forEach(cell -> cell.path("outputs").forEach(out -> outputs.append(out.toString())));
        return outputs.toString();
    }

    @Test
    @Order(4)
    void stoppingTheServerRemovesItsPod() throws Exception {
        // What the home page's stop button sends: the hub's XSRF token of the page.
        HttpResponse<String> home = alice.get(base.resolve("/hub/home"));
        Matcher token = HOME_XSRF.matcher(home.body());
        assertThat(token.find()).as(home.body()).isTrue();
        HttpResponse<String> stopped = alice.send("DELETE", base.resolve("/hub/api/users/alice/server"),
                Map.of("X-XSRFToken", token.group(1), "Referer", base + "/hub/home"), null);
        assertThat(stopped.statusCode()).as(stopped.body()).isIn(202, 204);
        client.pods().inNamespace(NAMESPACE).withName("jupyter-alice").waitUntilCondition(pod -> pod == null, 2,
                TimeUnit.MINUTES);
    }

    private static String exec(String... command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().inNamespace(NAMESPACE).withName("jupyter-alice").inContainer("notebook")
                .writingOutput(out).writingError(err).exec(command)) {
            int status = watch.exitCode().get(10, TimeUnit.MINUTES);
            assertThat(status).as(List.of(command) + ": " + out + err).isZero();
        }
        return out.toString();
    }

    private static String xsrf(String page) {
        Matcher matcher = XSRF.matcher(page);
        assertThat(matcher.find()).as(page).isTrue();
        return matcher.group(1).replace("&#x27;", "'").replace("&quot;", "\"");
    }

    interface Attempt {
        HttpResponse<String> get() throws Exception;
    }

    private static HttpResponse<String> await(Attempt attempt, java.util.function.Predicate<HttpResponse<String>> done,
            Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        HttpResponse<String> last = attempt.get();
        while (!done.test(last)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not done within " + timeout + ": " + last.statusCode() + " " + last.body());
            }
            Thread.sleep(1000);
            last = attempt.get();
        }
        return last;
    }
}
