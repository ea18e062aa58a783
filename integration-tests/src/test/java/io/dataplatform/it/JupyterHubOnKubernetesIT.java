package io.dataplatform.it;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
import io.dataplatform.gitops.sync.Application;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * JupyterHub on the development cluster, from our images and the tree: a user logs in through the realm, is offered
 * the environments of her groups (environments.yaml), starts one — KubeSpawner runs the notebook image in her own
 * namespace, notebooks-&lt;user&gt;, which the hub prepares from the template namespace notebooks — and reaches her
 * server through the hub; an environment of other groups is refused even when its option is posted by hand; the
 * tutorials are executed (nbclient) in her server against the platform's Trino and Spark, as her; two users run Spark
 * side by side, neither able to touch the other's pods; stopping a server removes its pod and executors; an earlier
 * tag still starts. Figures are printed with the prefix [jupyterhub].
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JupyterHubOnKubernetesIT {
    /** The template of the users' namespaces (argocd/apps/jupyterhub/notebooks). */
    private static final String TEMPLATE = "notebooks";
    private static final String HUB_ACCOUNT = "system:serviceaccount:platform:jupyterhub";
    private static final String EXECUTOR_LABEL = "platform.io/spark-driver-pod";
    /** The tag of the base environment before this build's (the previous-tag test). */
    private static final String PREVIOUS_TAG = "2026.10-1";
    /** How long a server may be idle before the culler stops it, in the previous-tag test's hub. */
    private static final Duration CULL_AFTER = Duration.ofSeconds(60);
    /** The spawn form's XSRF token: in its action (JupyterHub 5 and later) or a hidden field. */
    private static final Pattern XSRF = Pattern.compile("(?:[?&]_xsrf=|name=\"_xsrf\" value=\")([^\"&]+)");
    private static final Pattern HOME_XSRF = Pattern.compile("xsrf_token: \"([^\"]+)\"");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Calls the Kubernetes API as the server's account (its mounted token): prints "status METHOD path" per argument. */
    private static final String KUBERNETES_API_AS_THE_SERVER = """
            import ssl, sys, urllib.error, urllib.request
            account = "/var/run/secrets/kubernetes.io/serviceaccount/"
            token = open(account + "token").read()
            context = ssl.create_default_context(cafile=account + "ca.crt")
            for call in sys.argv[1:]:
                method, path = call.split(" ")
                request = urllib.request.Request("https://kubernetes.default.svc" + path, method=method,
                                                 headers={"Authorization": "Bearer " + token})
                try:
                    with urllib.request.urlopen(request, context=context, timeout=30) as response:
                        status = response.status
                except urllib.error.HTTPError as refused:
                    status = refused.code
                print(status, call)
            """;

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
        assertThat(client.pods().inAnyNamespace().withLabel("component", "singleuser-server").list().getItems()).isEmpty();
        assertThat(client.namespaces().withName(namespace("alice")).get()).as("her namespace, before a start of hers "
                + "is allowed").isNull();
    }

    @Test
    @Order(2)
    void sheStartsAnEnvironmentAndReachesHerServerThroughTheHub() throws Exception {
        Instant click = Instant.now();
        Pod pod = startServer(alice, "alice", "base");
        assertThat(pod.getSpec().getContainers().get(0).getImage()).startsWith("platform/notebook:");

        // Her namespace, prepared from the template: labelled hers, with the hub's copies (none of Argo CD's tracking).
        assertThat(client.namespaces().withName("notebooks-alice").get().getMetadata().getLabels())
                .containsEntry("platform.io/notebook-user", "alice").containsEntry("platform.io/team", "notebooks");
        var defaults = client.configMaps().inNamespace("notebooks-alice").withName("spark-defaults").get();
        assertThat(defaults.getData()).isEqualTo(client.configMaps().inNamespace(TEMPLATE).withName("spark-defaults").get()
                .getData());
        assertThat(defaults.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "jupyterhub")
                .doesNotContainKey("app.kubernetes.io/instance");
        assertThat(client.rbac().roleBindings().inNamespace("notebooks-alice").withName("spark-driver").get().getSubjects())
                .singleElement().satisfies(subject -> assertThat(subject.getNamespace()).isEqualTo("notebooks-alice"));
        assertThat(client.secrets().inNamespace("notebooks-alice").withName("lakehouse-catalog").get()).isNotNull();
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
    void theSparkTutorialRunsExecutorsAsPodsOfHerServerAndWritesTheLakehouseAsHer() throws Exception {
        // What the tutorial asks her to do first, in a terminal: her ticket, from her realm password.
        execIn("alice", "sh", "-c", "echo dev-alice-password | kinit alice >/dev/null && klist");
        ExecutorWatch watch = new ExecutorWatch("alice");
        JsonNode executed;
        try {
            executed = execute("03-pyspark-on-the-lakehouse");
        }
        finally {
            watch.close();
        }
        String outputs = outputs(executed);
        assertThat(outputs).doesNotContain("\"ename\"")
                .contains("Spark " + System.getProperty("spark.version") + " with executors after",
                        "cells: 10 mean load: 49.5",
                        "lakehouse.data_engineering.tutorial_cell_load_alice rows: 10 busiest cell: 7",
                        "data_engineering");
        Matcher ready = Pattern.compile("with executors after ([0-9.]+) s").matcher(outputs);
        assertThat(ready.find()).isTrue();
        System.out.printf("[jupyterhub] first spark_session() to executors ready, in her server on the cluster: %s s%n",
                ready.group(1));

        // Her executors were pods of the pinned Spark image in her namespace, owned by her server's pod.
        Pod server = client.pods().inNamespace("notebooks-alice").withName("jupyter-alice").get();
        assertThat(watch.seen).as("executor pods of her driver").isNotEmpty();
        watch.seen.values().forEach(executor -> {
            assertThat(executor.getSpec().getContainers().get(0).getImage()).isEqualTo(PlatformImage.of("spark").reference());
            assertThat(executor.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(server.getMetadata().getUid()));
        });
        // stop_spark() (the tutorial's last cell) ended them.
        awaitExecutors("alice", 0, Duration.ofMinutes(2));

        // As her: the driver logged in from her ticket, and the table's files on HDFS are hers.
        assertThat(exec("cat", ".spark/driver.log")).contains("spark: logged in to Kerberos as alice@"
                + DevelopmentPlatform.REALM + " (ticket cache /tmp/krb5cc_notebook)");
        // (The test JVM's Kerberos client is the last started cluster's: other test classes start their own.)
        platform.hdfs.useAsJvmClient();
        List<org.apache.hadoop.fs.FileStatus> files = platform.hdfs.files("/warehouse/data_engineering").stream()
                .filter(file -> file.getPath().toString().contains("/tutorial_cell_load_alice")).toList();
        assertThat(files).as("the table's data and metadata files").isNotEmpty()
                .allSatisfy(file -> assertThat(file.getOwner()).as(file.getPath().toString()).isEqualTo("alice"));
    }

    @Test
    @Order(5)
    void twoUsersRunSparkSideBySideAndStoppingAServerRemovesItsExecutors() throws Exception {
        ClusterLogin.Result login = ClusterLogin.logIn(client, base.resolve("/hub/oauth_login"), "bob",
                "dev-bob-password", location -> false);
        assertThat(login.page().statusCode()).as(login.page().body()).isEqualTo(200);
        Browser bob = login.browser();
        startServer(bob, "bob", "base");

        // Each starts Spark in a process of their own server that keeps its session (as an open notebook does).
        String script = """
                import time
                from dataplatform_notebook import spark_session
                spark = spark_session(executors=1)
                print("sum", spark.range(0, 100000, numPartitions=4).selectExpr("sum(id)").first()[0], flush=True)
                time.sleep(900)
                """;
        for (String user : List.of("alice", "bob")) {
            execIn(user, "sh", "-c", "echo dev-" + user + "-password | kinit " + user + " >/dev/null");
            execIn(user, "sh", "-c", "cat > /tmp/side-by-side.py <<'EOF'\n" + script + "EOF\n"
                    + "nohup python3 /tmp/side-by-side.py > /tmp/side-by-side.log 2>&1 &");
        }
        for (String user : List.of("alice", "bob")) {
            awaitExecutors(user, 1, Duration.ofMinutes(4));
            assertThat(awaitLog(user, "sum 4999950000", Duration.ofMinutes(3))).as(user + "'s Spark")
                    .contains("sum 4999950000");
        }
        List<Pod> alices = executors("alice");
        List<Pod> bobs = executors("bob");
        assertThat(bobs).allSatisfy(executor -> assertThat(executor.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getName()).isEqualTo("jupyter-bob")));

        // What her server's account (the one her Spark driver creates executors with) may do: her pods, not his.
        String answers = execIn("alice", "python3", "-c", KUBERNETES_API_AS_THE_SERVER, "GET /api/v1/namespaces/notebooks-alice/pods",
                "GET /api/v1/namespaces/notebooks-bob/pods", "DELETE /api/v1/namespaces/notebooks-bob/pods/jupyter-bob",
                "DELETE /api/v1/namespaces/notebooks-bob/pods/" + bobs.getFirst().getMetadata().getName(),
                "GET /api/v1/namespaces/" + TEMPLATE + "/secrets/lakehouse-catalog");
        assertThat(answers.lines()).containsExactly("200 GET /api/v1/namespaces/notebooks-alice/pods",
                "403 GET /api/v1/namespaces/notebooks-bob/pods", "403 DELETE /api/v1/namespaces/notebooks-bob/pods/jupyter-bob",
                "403 DELETE /api/v1/namespaces/notebooks-bob/pods/" + bobs.getFirst().getMetadata().getName(),
                "403 GET /api/v1/namespaces/" + TEMPLATE + "/secrets/lakehouse-catalog");
        assertThat(executors("bob")).hasSameSizeAs(bobs);

        // Bob stops his server: his executors go with it, alice's stay.
        stopServerAndAwait(bob, "bob");
        awaitExecutors("bob", 0, Duration.ofMinutes(2));
        assertThat(executors("alice")).extracting(pod -> pod.getMetadata().getName())
                .containsAll(alices.stream().map(pod -> pod.getMetadata().getName()).toList());
    }

    @Test
    @Order(6)
    void stoppingTheServerRemovesItsPodAndItsExecutors() throws Exception {
        assertThat(executors("alice")).as("her Spark of the previous test, still running").isNotEmpty();
        stopServerAndAwait(alice, "alice");
        awaitExecutors("alice", 0, Duration.ofMinutes(2));
    }

    @Test
    @Order(7)
    void thePreviousTagOfAnEnvironmentStillStartsAfterANewOneIsAddedAndAnIdleServerIsCulled(@TempDir Path temporary)
            throws Exception {
        // The earlier build of the base environment under its earlier tag, as the registry keeps it (a published tag
        // never moves), pinned by its digest as ci/bump-pins pins a published environment: the node holds it under
        // that tag and that digest. (Here it is this build's image named so; no registry, no earlier build.)
        PlatformImage current = PlatformImage.of("notebook");
        String repository = current.reference().substring(0, current.reference().lastIndexOf(':'));
        var listed = platform.node.execInContainer("ctr", "-n", "k8s.io", "images", "ls",
                "name==docker.io/" + current.reference());
        String digest = listed.getStdout().lines().skip(1).findFirst().orElseThrow().split("\\s+")[2];
        assertThat(digest).matches("sha256:[0-9a-f]{64}");
        String previous = repository + ":" + PREVIOUS_TAG + "@" + digest;
        for (String name : List.of(repository + ":" + PREVIOUS_TAG, repository + "@" + digest)) {
            var tagged = platform.node.execInContainer("ctr", "-n", "k8s.io", "images", "tag", "--force",
                    "docker.io/" + current.reference(), "docker.io/" + name);
            assertThat(tagged.getExitCode()).as(tagged.getStderr()).isZero();
        }

        // What the version bump commits: the new tag, and the one before kept under previous (README: upgrading an
        // environment); Argo CD syncs the hub's app, whose environments ConfigMap is new, so the hub restarts.
        Path argocd = RepositoryCopy.argocdTree(temporary.resolve("repository/argocd"));
        Path environments = argocd.resolve("apps/jupyterhub/base/environments.yaml");
        String pinned = "    image: " + current.reference() + "\n";
        assertThat(Files.readString(environments)).contains(pinned);
        Files.writeString(environments, Files.readString(environments).replace(pinned,
                pinned + "    previous: [\"" + PREVIOUS_TAG + "@" + digest + "\"]\n"));
        // And idle servers culled after a minute rather than an hour, to see the culler stop one.
        Path settings = argocd.resolve("apps/jupyterhub/base/hub.env");
        assertThat(Files.readString(settings)).contains("NOTEBOOK_CULL_IDLE_SECONDS=3600\n");
        Files.writeString(settings, Files.readString(settings).replace("NOTEBOOK_CULL_IDLE_SECONDS=3600\n",
                "NOTEBOOK_CULL_IDLE_SECONDS=" + CULL_AFTER.toSeconds() + "\n"));
        syncTheHub(DevelopmentPlatform.render(temporary, argocd));
        try {
            HttpResponse<String> form = await(() -> alice.get(base.resolve("/hub/spawn")),
                    page -> page.statusCode() == 200 && page.body().contains("(" + PREVIOUS_TAG + ", previous)"),
                    Duration.ofMinutes(2));
            assertThat(form.body()).contains("Base: SQL, pandas, PySpark", "Base: SQL, pandas, PySpark (" + PREVIOUS_TAG
                    + ", previous)");
            Pod pod = startServer(alice, "alice", "base-" + PREVIOUS_TAG.replace('.', '-'));
            assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo(previous);
            HttpResponse<String> lab = await(() -> alice.login(base.resolve("/user/alice/lab"), "alice", "dev-alice-password"),
                    page -> page.statusCode() == 200 && page.uri().getPath().startsWith("/user/alice/lab"),
                    Duration.ofMinutes(3));
            assertThat(lab.body()).contains("JupyterLab");

            // She leaves it: nobody stops it, the hub's idle culler does (it looks every half of the idle time).
            Instant idle = Instant.now();
            assertThat(alice.get(base.resolve("/hub/home")).body()).contains("Stop My Server");
            client.pods().inNamespace(namespace("alice")).withName("jupyter-alice").waitUntilCondition(gone -> gone == null,
                    CULL_AFTER.multipliedBy(4).toSeconds(), TimeUnit.SECONDS);
            System.out.printf("[jupyterhub] idle server culled %d s after its last request (culled when idle %d s)%n",
                    Duration.between(idle, Instant.now()).toSeconds(), CULL_AFTER.toSeconds());
            // (The hub ends its stop once the pod is gone.)
            await(() -> alice.get(base.resolve("/hub/home")), home -> !home.body().contains("Stop My Server"),
                    Duration.ofMinutes(1));
        }
        finally {
            // The tree's own hub again, for the test classes after this one.
            syncTheHub(platform.applications());
        }
    }

    @Test
    @Order(8)
    void theHubChangesNothingOutsideTheUsersNamespaces() {
        // Its rights are cluster-wide (RBAC allows this ConfigMap); the admission policy keeps it to the users'.
        Config asTheHub = new ConfigBuilder(client.getConfiguration())
                .withImpersonateUsername(HUB_ACCOUNT)
                .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:platform", "system:authenticated")
                .build();
        ConfigMap configMap = new ConfigMapBuilder().withNewMetadata().withName("hub-was-here")
                .endMetadata().addToData("x", "y").build();
        try (KubernetesClient hubClient = new KubernetesClientBuilder().withConfig(asTheHub)
                .build()) {
            for (String namespace : List.of("platform", TEMPLATE, "kube-system")) {
                assertThatThrownBy(() -> hubClient.configMaps().inNamespace(namespace).resource(configMap).create())
                        .as(namespace).isInstanceOf(KubernetesClientException.class)
                        .hasMessageContaining("the hub acts only in the users' notebook namespaces");
                assertThat(client.configMaps().inNamespace(namespace).withName("hub-was-here").get()).isNull();
            }
            assertThatThrownBy(() -> hubClient.namespaces().resource(new NamespaceBuilder()
                    .withNewMetadata().withName("not-a-users").endMetadata().build()).create())
                    .hasMessageContaining("the hub acts only in the users' notebook namespaces");
            // Nor delete one that is not a user's (its rights allow deleting namespaces: users' namespaces go with them).
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("not-a-users").endMetadata()
                    .build()).create();
            assertThatThrownBy(() -> hubClient.namespaces().withName("not-a-users").delete())
                    .hasMessageContaining("the hub acts only in the users' notebook namespaces");
            assertThat(client.namespaces().withName("not-a-users").get().getMetadata().getDeletionTimestamp()).isNull();
            client.namespaces().withName("not-a-users").delete();
            // In a user's namespace it may (what it does before each of her starts).
            hubClient.configMaps().inNamespace(namespace("alice")).resource(configMap).create();
            client.configMaps().inNamespace(namespace("alice")).withName("hub-was-here").delete();
        }
    }

    @Test
    @Order(9)
    void deletingAUserFromTheHubDeletesHerNamespace() throws Exception {
        assertThat(client.namespaces().withName(namespace("bob")).get()).as("bob's, from his start").isNotNull();
        // dave administers the hub (platform-admins): its admin page's delete of a user.
        ClusterLogin.Result login = ClusterLogin.logIn(client, base.resolve("/hub/oauth_login"), "dave",
                "dev-dave-password", location -> false);
        assertThat(login.page().statusCode()).as(login.page().body()).isEqualTo(200);
        Browser dave = login.browser();
        HttpResponse<String> home = dave.get(base.resolve("/hub/home"));
        Matcher token = HOME_XSRF.matcher(home.body());
        assertThat(token.find()).as(home.body()).isTrue();
        HttpResponse<String> deleted = dave.send("DELETE", base.resolve("/hub/api/users/bob"),
                Map.of("X-XSRFToken", token.group(1), "Referer", base + "/hub/admin"), null);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
        client.namespaces().withName(namespace("bob")).waitUntilCondition(gone -> gone == null, 3, TimeUnit.MINUTES);
        assertThat(client.namespaces().withName(namespace("alice")).get().getMetadata().getDeletionTimestamp())
                .as("alice's, untouched").isNull();
    }

    /** Syncs the hub's application of {@code applications} and reconnects to the hub's new pod. */
    private static void syncTheHub(List<Application> applications) throws Exception {
        List<Application> hubs = applications.stream().filter(application -> application.name().equals("jupyterhub"))
                .toList();
        assertThat(hubs).hasSize(1);
        System.out.printf("[jupyterhub] hub synced: %s%n", platform.sync().sync(hubs, Duration.ofMinutes(4)));
        hub.close();
        hub = client.services().inNamespace("platform").withName("jupyterhub").portForward(8000);
        base = URI.create("http://localhost:" + hub.getLocalPort());
    }

    /** What the spawn form sends for {@code profile}; returns her server's pod once it runs (in her namespace). */
    private static Pod startServer(Browser browser, String user, String profile) throws Exception {
        HttpResponse<String> form = browser.get(base.resolve("/hub/spawn"));
        String token = xsrf(form.body());
        HttpResponse<String> started = browser.post(base.resolve("/hub/spawn/" + user + "?_xsrf=" + token),
                Map.of("_xsrf", token, "profile", profile));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(302);
        return client.pods().inNamespace(namespace(user)).withName("jupyter-" + user).waitUntilCondition(
                candidate -> candidate != null && candidate.getStatus() != null
                        && "Running".equals(candidate.getStatus().getPhase()), 5, TimeUnit.MINUTES);
    }

    /** What the home page's stop button sends (the hub's XSRF token of the page); returns once her pod is gone. */
    private static void stopServerAndAwait(Browser browser, String user) throws Exception {
        HttpResponse<String> home = browser.get(base.resolve("/hub/home"));
        Matcher token = HOME_XSRF.matcher(home.body());
        assertThat(token.find()).as(home.body()).isTrue();
        HttpResponse<String> stopped = browser.send("DELETE", base.resolve("/hub/api/users/" + user + "/server"),
                Map.of("X-XSRFToken", token.group(1), "Referer", base + "/hub/home"), null);
        assertThat(stopped.statusCode()).as(stopped.body()).isIn(202, 204);
        client.pods().inNamespace(namespace(user)).withName("jupyter-" + user).waitUntilCondition(gone -> gone == null, 2,
                TimeUnit.MINUTES);
    }

    private static String namespace(String user) {
        return TEMPLATE + "-" + user;
    }

    /** The executor pods of a user's server's driver (by the label the Spark launcher gives them), not those going. */
    private static List<Pod> executors(String user) {
        return allExecutors(user).stream().filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static List<Pod> allExecutors(String user) {
        return client.pods().inNamespace(namespace(user)).withLabel(EXECUTOR_LABEL, "jupyter-" + user).list().getItems();
    }

    /** Waits for {@code count} running executors of a user's driver, or for none at all (0: not even terminating). */
    private static void awaitExecutors(String user, int count, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (count == 0 ? !allExecutors(user).isEmpty() : executors(user).stream().filter(pod -> pod.getStatus() != null
                && "Running".equals(pod.getStatus().getPhase())).count() < count) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("executors of " + user + "'s server: not " + count + " within " + timeout + ": "
                        + executors(user).stream().map(pod -> pod.getMetadata().getName() + " "
                                + pod.getStatus().getPhase()).toList());
            }
            Thread.sleep(1000);
        }
    }

    private static String awaitLog(String user, String line, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        String log = execIn(user, "cat", "/tmp/side-by-side.log");
        while (!log.contains(line) && Instant.now().isBefore(deadline)) {
            Thread.sleep(2000);
            log = execIn(user, "cat", "/tmp/side-by-side.log");
        }
        return log;
    }

    /** Every executor pod of a driver seen while it is open (they are gone once the driver stops). */
    private static final class ExecutorWatch implements AutoCloseable {
        final Map<String, Pod> seen = new java.util.concurrent.ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean open = true;

        ExecutorWatch(String user) {
            thread = new Thread(() -> {
                while (open) {
                    executors(user).forEach(pod -> seen.putIfAbsent(pod.getMetadata().getName(), pod));
                    try {
                        Thread.sleep(500);
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                }
            }, "executor-watch");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            open = false;
            try {
                thread.join(5000);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String exec(String... command) throws Exception {
        return execIn("alice", command);
    }

    /** Runs a command in {@code user}'s server (as a terminal of hers would: the image's environment, her uid). */
    private static String execIn(String user, String... command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().inNamespace(namespace(user)).withName("jupyter-" + user).inContainer("notebook")
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
