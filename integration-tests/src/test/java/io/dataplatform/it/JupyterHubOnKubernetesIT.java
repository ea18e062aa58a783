package io.dataplatform.it;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
    private static final Pattern XSRF = Pattern.compile("name=\"_xsrf\" value=\"([^\"]+)\"");
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
        HttpResponse<String> refused = alice.post(base.resolve("/hub/spawn/alice"), Map.of("_xsrf", xsrf(form.body()),
                "profile", "geo"));
        assertThat(refused.statusCode()).as(refused.body()).isBetween(400, 599);
        assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    }

    @Test
    @Order(2)
    void sheStartsAnEnvironmentAndReachesHerServerThroughTheHub() throws Exception {
        HttpResponse<String> form = alice.get(base.resolve("/hub/spawn"));
        Instant click = Instant.now();
        HttpResponse<String> started = alice.post(base.resolve("/hub/spawn/alice"), Map.of("_xsrf", xsrf(form.body()),
                "profile", "base"));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(302);

        Pod pod = client.pods().inNamespace(NAMESPACE).withName("jupyter-alice").waitUntilCondition(
                candidate -> candidate != null && candidate.getStatus() != null && "Running".equals(candidate.getStatus().getPhase()),
                5, TimeUnit.MINUTES);
        assertThat(pod.getSpec().getContainers().get(0).getImage()).startsWith("platform/notebook:");
        // Through the proxy: the server asks the hub who alice is (OAuth), then serves her.
        HttpResponse<String> lab = await(() -> alice.login(base.resolve("/user/alice/lab"), "alice", "dev-alice-password"),
                page -> page.statusCode() == 200, Duration.ofMinutes(3));
        assertThat(lab.body()).contains("JupyterLab");
        Duration spawn = Duration.between(click, Instant.now());

        String xsrf = alice.cookie("localhost", "_xsrf").orElseThrow();
        HttpResponse<String> kernel = alice.send("POST", base.resolve("/user/alice/api/kernels"),
                Map.of("X-XSRFToken", xsrf, "Content-Type", "application/json"), "{\"name\": \"python3\"}");
        assertThat(kernel.statusCode()).as(kernel.body()).isEqualTo(201);
        String id = JSON.readTree(kernel.body()).path("id").asText();
        await(() -> alice.get(base.resolve("/user/alice/api/kernels/" + id)),
                page -> page.body().contains("\"execution_state\": \"idle\"") || page.body().contains("\"execution_state\":\"idle\""),
                Duration.ofMinutes(2));
        System.out.printf("[jupyterhub] spawn, click to kernel ready: %d ms (server reachable after %d ms)%n",
                Duration.between(click, Instant.now()).toMillis(), spawn.toMillis());
    }

    @Test
    @Order(3)
    void aTutorialRunsInHerServerAgainstTrinoAsHer() throws Exception {
        Instant started = Instant.now();
        String output = exec("jupyter-execute", "--output=executed-02", "tutorials/02-pandas.ipynb");
        System.out.printf("[jupyterhub] tutorial 02-pandas executed in %d ms%n",
                Duration.between(started, Instant.now()).toMillis());
        JsonNode executed = JSON.readTree(exec("cat", "tutorials/executed-02.ipynb"));
        StringBuilder outputs = new StringBuilder();
        executed.path("cells").forEach(cell -> cell.path("outputs").forEach(out -> outputs.append(out.toString())));
        assertThat(outputs.toString()).as(output).contains("busiest hours: [6, 5, 7]").doesNotContain("\"error\"");
    }

    @Test
    @Order(4)
    void stoppingTheServerRemovesItsPod() throws Exception {
        HttpResponse<String> stopped = alice.send("DELETE", base.resolve("/hub/api/users/alice/server"),
                Map.of("X-XSRFToken", alice.cookie("localhost", "_xsrf").orElse(""), "Referer", base + "/hub/home"), null);
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
