package io.dataplatform.jupyterhub.launcher;

import java.util.HashMap;
import java.util.Map;

import io.dataplatform.launcher.StartProblems;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestJupyterHubLauncher {
    private static final String COOKIE_SECRET = "0123456789abcdef".repeat(4);
    private static final Map<String, String> HUB = Map.of(
            "JUPYTERHUB_DATABASE_HOST", "postgresql.platform.svc:5432",
            "JUPYTERHUB_DATABASE_NAME", "jupyterhub",
            "JUPYTERHUB_DATABASE_USER", "jupyterhub",
            "JUPYTERHUB_DATABASE_PASSWORD", "s3cret word+/",
            "JPY_COOKIE_SECRET", COOKIE_SECRET,
            "JUPYTERHUB_CRYPT_KEY", COOKIE_SECRET.toUpperCase(java.util.Locale.ROOT),
            "JUPYTERHUB_OIDC_ISSUER", "http://keycloak.platform.svc:8080/realms/platform",
            "JUPYTERHUB_OIDC_CLIENT_SECRET", "client-s3cret",
            "JUPYTERHUB_ALLOWED_GROUPS", "analysts, team-data-engineering");

    @Test
    void theHubRunsWithItsConfigurationAndItsDatabaseOverTls() {
        JupyterHubLauncher.Plan hub = JupyterHubLauncher.plan(new String[] {"hub"}, HUB);
        assertThat(hub.command()).containsExactly("/usr/local/bin/jupyterhub", "--config",
                "/etc/jupyterhub/jupyterhub_config.py");
        assertThat(hub.environment())
                .containsEntry("JUPYTERHUB_DB_URL", "postgresql+psycopg2://jupyterhub:s3cret%20word%2B%2F@"
                        + "postgresql.platform.svc:5432/jupyterhub?sslmode=require")
                .containsEntry("JUPYTERHUB_OIDC_CLIENT_ID", "jupyterhub")
                .containsEntry("JUPYTERHUB_ADMIN_GROUPS", "platform-admins")
                .containsEntry("JUPYTERHUB_ALLOWED_GROUPS", "analysts, team-data-engineering");
        // No argument: the hub; JUPYTERHUB_ROLE wins over the arguments.
        assertThat(JupyterHubLauncher.plan(new String[0], HUB).role()).isEqualTo(JupyterHubLauncher.Role.HUB);
        Map<String, String> cli = new HashMap<>(Map.of("JUPYTERHUB_ROLE", "cli"));
        assertThat(JupyterHubLauncher.plan(new String[] {"--version"}, cli).command())
                .containsExactly("/usr/local/bin/jupyterhub", "--version");
    }

    @Test
    void everyProblemIsNamedAtOnceAndNoSecretIsShown() {
        Map<String, String> bad = new HashMap<>(HUB);
        bad.remove("JUPYTERHUB_DATABASE_NAME");
        bad.put("JPY_COOKIE_SECRET", "not-hex-and-never-shown");
        bad.put("JUPYTERHUB_OIDC_ISSUER", "keycloak.platform.svc:8080");
        bad.remove("JUPYTERHUB_OIDC_CLIENT_SECRET");
        bad.put("JUPYTERHUB_ALLOWED_GROUPS", "analysts;team-data-engineering");
        assertThatThrownBy(() -> JupyterHubLauncher.plan(new String[] {"hub"}, bad))
                .isInstanceOf(StartProblems.class)
                .satisfies(e -> assertThat(((StartProblems) e).problems()).containsExactly(
                        "JUPYTERHUB_DATABASE_NAME is not set (the hub's database, e.g. jupyterhub)",
                        "JPY_COOKIE_SECRET=<secret of 23 characters, not shown> is not valid (the hub's cookie secret, "
                                + "64 hex digits, from a Secret)",
                        "JUPYTERHUB_OIDC_ISSUER='keycloak.platform.svc:8080' is not valid (the identity provider's "
                                + "realm, e.g. https://sso.operator.example/realms/platform)",
                        "JUPYTERHUB_OIDC_CLIENT_SECRET is not set (that client's secret, from a Secret)",
                        "JUPYTERHUB_ALLOWED_GROUPS='analysts;team-data-engineering' is not valid (the groups whose "
                                + "members may log in, comma-separated, e.g. analysts,team-data-engineering)"));
        assertThatThrownBy(() -> JupyterHubLauncher.plan(new String[] {"notebook"}, HUB))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown role 'notebook' (argument or JUPYTERHUB_ROLE): expected hub or cli");
    }
}
