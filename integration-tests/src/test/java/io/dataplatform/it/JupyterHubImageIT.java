package io.dataplatform.it;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.MountableFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JupyterHub image: Debian's Python and configurable-http-proxy with the wheels of its python.lock, started by
 * the platform's launcher. The hub keeps its state in a database of the platform's PostgreSQL image (TLS) and lets
 * users log in through the platform realm (the Keycloak image): members of the allowed groups get the hub's home
 * page, their realm groups become the hub's groups; anyone else gets 403. Bad settings stop the container before the
 * hub starts, every one named.
 */
class JupyterHubImageIT {
    private static final String VERSION = System.getProperty("jupyterhub.version");
    private static final String PASSWORD = "hub-secret+/@";
    private static final String COOKIE_SECRET = "00112233445566778899aabbccddeeff".repeat(2);

    private static Network network;
    private static PostgresContainer postgres;
    private static KeycloakContainer keycloak;
    private static GenericContainer<?> hub;

    @BeforeAll
    static void start() {
        network = Network.newNetwork();
        postgres = new PostgresContainer(PlatformImage.of("postgres"))
                .withEnv("POSTGRES_DATABASES", "jupyterhub:jupyterhub:" + PASSWORD)
                .withNetwork(network).withNetworkAliases("postgres");
        keycloak = new KeycloakContainer().withNetwork(network);
        postgres.start();
        keycloak.start();
        hub = new GenericContainer<>(PlatformImage.of("jupyterhub").name()).withNetwork(network).withCommand("hub")
                .withEnv(Map.of(
                        "JUPYTERHUB_DATABASE_HOST", "postgres:5432",
                        "JUPYTERHUB_DATABASE_NAME", "jupyterhub",
                        "JUPYTERHUB_DATABASE_USER", "jupyterhub",
                        "JUPYTERHUB_DATABASE_PASSWORD", PASSWORD,
                        "JPY_COOKIE_SECRET", COOKIE_SECRET,
                        "JUPYTERHUB_CRYPT_KEY", COOKIE_SECRET,
                        "JUPYTERHUB_OIDC_ISSUER", KeycloakContainer.ISSUER,
                        "JUPYTERHUB_OIDC_CLIENT_SECRET", "dev-jupyterhub-client-secret",
                        "JUPYTERHUB_ALLOWED_GROUPS", "analysts,team-data-engineering"))
                // The environments to pick from, as the tree's ConfigMap gives them on the cluster.
                .withCopyFileToContainer(MountableFile.forHostPath(Path.of(System.getProperty("platform.root"),
                        "argocd/apps/jupyterhub/base/environments.yaml")), "/etc/jupyterhub/environments/environments.yaml")
                .withExposedPorts(8000)
                .waitingFor(new FailFastWait(Wait.forHttp("/hub/health").forPort(8000).forStatusCode(200))
                        .withStartupTimeout(Duration.ofMinutes(2)));
        hub.start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable container : new AutoCloseable[] {hub, keycloak, postgres, network}) {
            try {
                if (container != null) {
                    container.close();
                }
            }
            catch (Exception e) {
                System.err.println("stopping: " + e);
            }
        }
    }

    @Test
    void theCliRunsAsThePlatformUser() {
        ContainerExit exit = run(container());
        assertThat(exit.code()).as(exit.logs()).isZero();
        assertThat(exit.logs().strip()).endsWith(VERSION);
        ContainerExit imports = run(container().withCreateContainerCmdModifier(command -> command.withEntrypoint(
                "/usr/bin/python3.13")).withCommand("-c", "import os, jupyterhub, kubespawner, oauthenticator, "
                + "jupyterhub_idle_culler, psycopg2; print('uid', os.getuid(), 'jupyterhub', jupyterhub.__version__)"));
        assertThat(imports.code()).as(imports.logs()).isZero();
        assertThat(imports.logs()).contains("uid 1000 jupyterhub " + VERSION);
    }

    @Test
    void membersOfTheAllowedGroupsLogInThroughTheRealmAndTheirGroupsAreTheHubs() throws Exception {
        // Up to the hub's redirect after its callback: the home page would start a spawner, and KubeSpawner needs the
        // cluster: starting servers is tested there.
        Browser browser = browser();
        HttpResponse<String> callback = browser.login(URI.create(hubUrl() + "/hub/oauth_login"), "alice",
                "dev-alice-password", location -> location.getPath().startsWith("/hub/home")
                        || location.getPath().equals("/hub/"));
        assertThat(callback.statusCode()).as("%s %s%nhub log:%n%s", callback.uri(), callback.body(), hub.getLogs())
                .isEqualTo(302);
        assertThat(callback.uri().getPath()).isEqualTo("/hub/oauth_callback");
        assertThat(browser.cookie("localhost", "jupyterhub-hub-login")).isPresent();
        HttpResponse<String> refused = browser().login(URI.create(hubUrl() + "/hub/oauth_login"), "erin",
                "dev-erin-password");
        assertThat(refused.statusCode()).as("%s %s%nhub log:%n%s", refused.uri(), refused.body(), hub.getLogs())
                .isEqualTo(403);
        // The hub's state is in PostgreSQL: alice, with her realm group; erin was never let in.
        try (Connection connection = postgres.connect("jupyterhub", "jupyterhub", PASSWORD);
                Statement statement = connection.createStatement();
                ResultSet users = statement.executeQuery("SELECT u.name, coalesce(string_agg(g.name, ',' ORDER BY "
                        + "g.name), '') FROM users u LEFT JOIN user_group_map m ON m.user_id = u.id LEFT JOIN groups g "
                        + "ON g.id = m.group_id GROUP BY u.name ORDER BY u.name")) {
            List<String> rows = new ArrayList<>();
            while (users.next()) {
                rows.add(users.getString(1) + ":" + users.getString(2));
            }
            assertThat(rows).containsExactly("alice:team-data-engineering");
        }
    }

    @Test
    void badSettingsStopTheContainerBeforeTheHubStarts() {
        ContainerExit exit = run(container().withCommand("hub").withEnv("JUPYTERHUB_DATABASE_HOST", "postgres")
                .withEnv("JUPYTERHUB_DATABASE_PASSWORD", "never-shown").withEnv("JPY_COOKIE_SECRET", "also-never-shown"));
        assertThat(exit.code()).isEqualTo(1);
        assertThat(exit.logs()).contains(
                "platform launcher: JUPYTERHUB_DATABASE_HOST='postgres' is not valid (the hub's database server, "
                        + "host:port, e.g. postgresql.platform.svc:5432)",
                "platform launcher: JUPYTERHUB_DATABASE_NAME is not set",
                "platform launcher: JPY_COOKIE_SECRET=<secret of 16 characters, not shown> is not valid",
                "platform launcher: JUPYTERHUB_CRYPT_KEY is not set",
                "platform launcher: JUPYTERHUB_OIDC_ISSUER is not set",
                "platform launcher: JUPYTERHUB_OIDC_CLIENT_SECRET is not set",
                "platform launcher: JUPYTERHUB_ALLOWED_GROUPS is not set",
                "platform launcher: JupyterHub was not started").doesNotContain("never-shown");
    }

    /** The hub through the proxy at localhost (a redirect address the realm's jupyterhub client allows). */
    private static String hubUrl() {
        return "http://localhost:" + hub.getMappedPort(8000);
    }

    /** A browser reaching the realm ({@code http://keycloak:8080} in redirects) at its mapped port. */
    private static Browser browser() {
        return new Browser(null, keycloak::reachable);
    }

    private static GenericContainer<?> container() {
        GenericContainer<?> container = new GenericContainer<>(PlatformImage.of("jupyterhub").name());
        ContainerExit.expect(container, Duration.ofMinutes(2));
        return container;
    }

    private static ContainerExit run(GenericContainer<?> container) {
        try (container) {
            return ContainerExit.of(container);
        }
    }
}
