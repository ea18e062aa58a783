package io.dataplatform.notebook.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.dataplatform.hadoop.config.ClientConfiguration;
import io.dataplatform.hadoop.config.ConfigurationDirectory;
import io.dataplatform.hadoop.config.Setting;
import io.dataplatform.hadoop.config.Variables;
import io.dataplatform.launcher.Launcher;
import io.dataplatform.launcher.StartProblems;

import static io.dataplatform.hadoop.config.Setting.required;
import static io.dataplatform.hadoop.config.Setting.secret;

/**
 * Entrypoint of the notebook images (the base image and the images built from it): checks what the hub hands a
 * user's server, puts the tutorials in the user's home the first time, then runs the server as its child (TERM stops
 * it, and with it the Spark driver a notebook started). Every problem is named before the server starts.
 *
 * <table>
 * <caption>Roles (the first argument)</caption>
 * <tr><td>server</td><td>the user's single-user server (JupyterLab) under the platform's JupyterHub: the hub's
 * KubeSpawner starts it with the variables below</td></tr>
 * <tr><td>cli</td><td>the command that follows, in the image's environment, e.g. {@code cli python3 -c ...}</td></tr>
 * </table>
 * <table>
 * <caption>Settings of the server (from the hub)</caption>
 * <tr><td>JUPYTERHUB_API_TOKEN, JUPYTERHUB_API_URL, JUPYTERHUB_USER, JUPYTERHUB_SERVICE_PREFIX</td><td>what the
 * spawner sets for every server</td></tr>
 * <tr><td>KERBEROS_REALM, KERBEROS_KDC, HDFS_NAMENODE, …</td><td>the platform's client variables (hadoop-client): the
 * Kerberos and HDFS client files are rendered at start, so {@code kinit} works in a terminal (the ticket goes to
 * the image's KRB5CCNAME, which the Spark driver logs in from)</td></tr>
 * </table>
 */
public final class NotebookLauncher {
    static final String SINGLE_USER = "/usr/local/bin/jupyterhub-singleuser";
    /** Where the image holds the tutorials; each user's server starts with a copy in ~/tutorials. */
    static final Path TUTORIALS = Path.of("/opt/platform/tutorials");

    enum Role { SERVER, CLI }

    static final List<Setting> SERVER = List.of(
            secret("JUPYTERHUB_API_TOKEN", "[^\\s]+", "the server's token for the hub's API (the spawner sets it)"),
            required("JUPYTERHUB_API_URL", "https?://[^\\s]+", "the hub's API, e.g. http://jupyterhub-api:8081/hub/api"),
            required("JUPYTERHUB_USER", "[^\\s/]+", "the user whose server this is"),
            required("JUPYTERHUB_SERVICE_PREFIX", "/[^\\s]*", "the server's path under the hub, e.g. /user/alice/"));

    /** What to run: the command and its environment. */
    record Plan(Role role, List<String> command, Map<String, String> environment) {}

    private NotebookLauncher() {}

    public static void main(String[] args) throws Exception {
        java.util.Optional<Plan> planned = Launcher.planOrRefuse(() -> {
            Plan plan = plan(args, System.getenv());
            // The HDFS/Kerberos client files (/etc/krb5.conf links to them): kinit in a terminal needs the realm's
            // KDCs before any Spark driver has rendered them.
            ClientConfiguration.prepareForThisProcess(plan.environment(), ConfigurationDirectory.RUNTIME)
                    .forEach(line -> System.out.println("platform launcher: hadoop " + line));
            return plan;
        }, "platform launcher", "the notebook server was not started", System.err);
        if (planned.isEmpty()) {
            System.exit(Launcher.REFUSED);
            return;
        }
        Plan plan = planned.get();
        if (plan.role() == Role.SERVER) {
            String home = plan.environment().getOrDefault("HOME", "/home/jovyan");
            int copied = copyTutorials(TUTORIALS, Path.of(home, "tutorials"));
            if (copied > 0) {
                System.out.printf("platform launcher: %d tutorials copied to %s/tutorials%n", copied, home);
            }
        }
        System.out.println("platform launcher: notebook " + Launcher.label(plan.role()) + ": "
                + String.join(" ", plan.command()));
        System.exit(Launcher.runChild(plan.command(), plan.environment(), Duration.ofSeconds(20)));
    }

    /**
     * The command and environment for {@code args} (the role first) in {@code environment}.
     *
     * @throws IllegalArgumentException an unknown role, or cli without a command
     * @throws StartProblems every missing or malformed setting
     */
    static Plan plan(String[] args, Map<String, String> environment) {
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        Role role = Launcher.role(Role.class, arguments.isEmpty() ? "server" : arguments.remove(0), "the first argument");
        Map<String, String> prepared = new TreeMap<>(environment);
        List<String> command = new ArrayList<>();
        if (role == Role.SERVER) {
            Variables server = new Variables(environment).read(SERVER);
            if (!server.problems().isEmpty()) {
                throw new StartProblems(server.problems());
            }
            command.add(SINGLE_USER);
        }
        else if (arguments.isEmpty()) {
            throw new IllegalArgumentException("cli: name the command to run, e.g. cli python3 --version");
        }
        command.addAll(arguments);
        return new Plan(role, List.copyOf(command), Map.copyOf(prepared));
    }

    /**
     * Copies the tutorials the user does not have yet into {@code target} (a user's edited copy is never
     * overwritten); returns how many were copied.
     */
    static int copyTutorials(Path source, Path target) {
        if (!Files.isDirectory(source)) {
            return 0;
        }
        int copied = 0;
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (!Files.exists(copy)) {
                    Files.createDirectories(copy.getParent());
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                    copied++;
                }
            }
        }
        catch (IOException e) {
            // The server starts anyway: the tutorials stay readable in the image.
            System.err.printf("platform launcher: the tutorials were not copied to %s (%s); they are in %s%n", target,
                    e.getMessage(), source);
            return copied;
        }
        return copied;
    }
}
