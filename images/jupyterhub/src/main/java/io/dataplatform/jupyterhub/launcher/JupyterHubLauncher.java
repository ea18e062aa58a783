package io.dataplatform.jupyterhub.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.dataplatform.hadoop.config.PlatformDatabase;
import io.dataplatform.hadoop.config.Setting;
import io.dataplatform.hadoop.config.Variables;
import io.dataplatform.launcher.Launcher;
import io.dataplatform.launcher.StartProblems;

import static io.dataplatform.hadoop.config.Setting.required;
import static io.dataplatform.hadoop.config.Setting.secret;

/**
 * Entrypoint of the JupyterHub image: checks the settings of the role, then runs JupyterHub as its child (TERM stops
 * it). Every problem is named before the hub starts; a secret is never shown.
 *
 * <table>
 * <caption>Roles (the first argument, or JUPYTERHUB_ROLE)</caption>
 * <tr><td>hub</td><td>the hub (and the proxy it starts), configured by /etc/jupyterhub/jupyterhub_config.py from the
 * settings below</td></tr>
 * <tr><td>cli</td><td>the {@code jupyterhub} command with the arguments that follow, e.g. {@code cli --version}</td></tr>
 * </table>
 * <table>
 * <caption>Settings of the hub</caption>
 * <tr><td>JUPYTERHUB_DATABASE_HOST, _NAME, _USER, _PASSWORD</td><td>the hub's database in the platform's PostgreSQL
 * (TLS required), given to the configuration as JUPYTERHUB_DB_URL</td></tr>
 * <tr><td>JPY_COOKIE_SECRET</td><td>the hub's cookie secret, 64 hex digits (a Secret)</td></tr>
 * <tr><td>JUPYTERHUB_CRYPT_KEY</td><td>the key of the users' auth state, 64 hex digits (a Secret)</td></tr>
 * <tr><td>JUPYTERHUB_OIDC_ISSUER, _CLIENT_ID (jupyterhub), _CLIENT_SECRET</td><td>the platform realm and its client
 * for the hub</td></tr>
 * <tr><td>JUPYTERHUB_ALLOWED_GROUPS, JUPYTERHUB_ADMIN_GROUPS</td><td>the groups whose members may log in, and those
 * who administer the hub (optional)</td></tr>
 * </table>
 */
public final class JupyterHubLauncher {
    static final String JUPYTERHUB = "/usr/local/bin/jupyterhub";
    static final String CONFIGURATION = "/etc/jupyterhub/jupyterhub_config.py";

    enum Role { HUB, CLI }

    static final PlatformDatabase DATABASE = new PlatformDatabase("JUPYTERHUB_DATABASE", "the hub's database",
            "jupyterhub");
    private static final String GROUP = "[A-Za-z0-9][A-Za-z0-9_.-]*";
    private static final String GROUPS = GROUP + "(\\s*,\\s*" + GROUP + ")*";
    static final List<Setting> HUB = List.of(
            secret("JPY_COOKIE_SECRET", "[0-9a-fA-F]{64}", "the hub's cookie secret, 64 hex digits, from a Secret"),
            secret("JUPYTERHUB_CRYPT_KEY", "[0-9a-fA-F]{64}", "the key of the users' auth state (their tokens, which "
                    + "the notebooks' connectors use), 64 hex digits, from a Secret"),
            required("JUPYTERHUB_OIDC_ISSUER", "https?://[^\\s/]+(/[^\\s]*)?",
                    "the identity provider's realm, e.g. https://sso.operator.example/realms/platform"),
            Setting.optional("JUPYTERHUB_OIDC_CLIENT_ID", "jupyterhub", "[A-Za-z0-9_.-]+", "the realm's client for the hub"),
            secret("JUPYTERHUB_OIDC_CLIENT_SECRET", "[^\\n]+", "that client's secret, from a Secret"),
            required("JUPYTERHUB_ALLOWED_GROUPS", GROUPS,
                    "the groups whose members may log in, comma-separated, e.g. analysts,team-data-engineering"),
            Setting.optional("JUPYTERHUB_ADMIN_GROUPS", "platform-admins", GROUPS,
                    "the groups whose members administer the hub, comma-separated"));

    /** What to run: the command and its environment. */
    record Plan(Role role, List<String> command, Map<String, String> environment) {}

    private JupyterHubLauncher() {}

    public static void main(String[] args) throws Exception {
        java.util.Optional<Plan> planned = Launcher.planOrRefuse(() -> plan(args, System.getenv()),
                "platform launcher", "JupyterHub was not started", System.err);
        if (planned.isEmpty()) {
            System.exit(Launcher.REFUSED);
            return;
        }
        Plan plan = planned.get();
        System.out.println("platform launcher: jupyterhub " + Launcher.label(plan.role()) + ": "
                + String.join(" ", plan.command()));
        System.exit(Launcher.runChild(plan.command(), plan.environment(), Duration.ofSeconds(30)));
    }

    /**
     * The command and environment for {@code args} (role first, unless JUPYTERHUB_ROLE names it) in
     * {@code environment}.
     *
     * @throws IllegalArgumentException an unknown role
     * @throws StartProblems every missing or malformed setting
     */
    static Plan plan(String[] args, Map<String, String> environment) {
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        String fromEnvironment = environment.get("JUPYTERHUB_ROLE");
        Role role = Launcher.role(Role.class, fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment
                : arguments.isEmpty() ? "hub" : arguments.remove(0), "argument or JUPYTERHUB_ROLE");
        Map<String, String> prepared = new TreeMap<>(environment);
        List<String> command = new ArrayList<>(List.of(JUPYTERHUB));
        if (role == Role.HUB) {
            List<String> problems = new ArrayList<>();
            String url = DATABASE.sqlAlchemyUrl(environment, problems);
            Variables hub = new Variables(environment).read(HUB);
            problems.addAll(hub.problems());
            if (!problems.isEmpty()) {
                throw new StartProblems(problems);
            }
            prepared.put("JUPYTERHUB_DB_URL", url);
            prepared.put("JUPYTERHUB_OIDC_CLIENT_ID", hub.value("JUPYTERHUB_OIDC_CLIENT_ID").orElseThrow());
            prepared.put("JUPYTERHUB_ADMIN_GROUPS", hub.value("JUPYTERHUB_ADMIN_GROUPS").orElseThrow());
            command.addAll(List.of("--config", CONFIGURATION));
        }
        command.addAll(arguments);
        return new Plan(role, List.copyOf(command), Map.copyOf(prepared));
    }
}
