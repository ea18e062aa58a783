package io.dataplatform.keycloak.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.dataplatform.launcher.Launcher;

/**
 * The image's entry point, in place of {@code kc.sh} (the image has no bash): checks the realms it will import
 * ({@link RealmCheck}), then runs Keycloak's server JVM the way {@code kc.sh} does, with the platform's options:
 * the embedded database (the realm is code, imported at every start), a local cache, HTTP on 8080.
 *
 * <p>Quarkus' build step runs at the first start of a container (Keycloak re-augments and exits with status 10,
 * then the server starts from the result), not at image build: on Keycloak 26.7 (Quarkus 3.33) two runs of
 * {@code kc.sh build} write different bytecode (proxy keys numbered by thread timing, random names in Hibernate's
 * proxies, build items in arrival order), so an image holding it could never be reproducible. A container restart
 * reuses it.
 *
 * <p>Settings (environment): {@code KC_HOSTNAME} (required) the URL clients reach Keycloak at, which is also the
 * tokens' issuer; {@code KC_BOOTSTRAP_ADMIN_USERNAME}/{@code KC_BOOTSTRAP_ADMIN_PASSWORD} a master-realm admin (optional);
 * {@code JAVA_OPTS_APPEND} more JVM options; any other {@code KC_*} option Keycloak reads itself. Arguments are
 * passed to {@code start}.
 */
public final class KeycloakLauncher {
    static final Path HOME = Path.of(System.getenv().getOrDefault("KEYCLOAK_HOME", "/opt/keycloak"));
    /** Where {@code --import-realm} reads realms: the image's platform realm, or files mounted in its place. */
    static final Path REALM_DIR = HOME.resolve("data/import");
    /** Keycloak's exit status after it re-augmented: start again from the new build. */
    static final int REBUILT = 10;

    private KeycloakLauncher() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> environment = System.getenv();
        List<String> problems = new ArrayList<>();
        List<Path> realms = realmFiles(REALM_DIR, problems);
        realms.forEach(realm -> problems.addAll(RealmCheck.problems(realm, Optional.empty())));
        problems.addAll(hostnameProblems(environment.get("KC_HOSTNAME")));
        if (!problems.isEmpty()) {
            System.exit(Launcher.refuse("platform launcher", problems, "Keycloak was not started (nothing was imported)",
                    System.err));
        }
        for (Path realm : realms) {
            System.out.println("platform launcher: realm " + RealmCheck.realmName(realm) + " from " + realm);
        }

        List<String> command = command(environment, Arrays.asList(args));
        long started = System.nanoTime();
        int status = run(command);
        if (status == REBUILT) {
            System.out.printf("platform launcher: Quarkus prepared for this configuration in %.1f s; starting%n",
                    (System.nanoTime() - started) / 1e9);
            List<String> built = new ArrayList<>(command);
            built.add(1, "-Dkc.config.built=true");
            status = run(built);
        }
        System.exit(status);
    }

    /** The server JVM's command line: {@code kc.sh}'s JVM options and {@code start} with the platform's options. */
    static List<String> command(Map<String, String> environment, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(
                "-XX:MetaspaceSize=96M", "-XX:MaxMetaspaceSize=256m", "-XX:+ExitOnOutOfMemoryError",
                "-XX:+UseG1GC", "-XX:MaxRAMPercentage=65", "-XX:InitialRAMPercentage=50",
                "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",
                "-Djava.security.egd=file:/dev/urandom", "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.base/java.security=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-Duser.language=en", "-Duser.country=US",
                "-Djava.util.concurrent.ForkJoinPool.common.threadFactory="
                        + "io.quarkus.bootstrap.forkjoin.QuarkusForkJoinWorkerThreadFactory",
                "-Dkc.home.dir=" + HOME, "-Djboss.server.config.dir=" + HOME.resolve("conf"),
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-Dpicocli.disable.closures=true",
                "-Dquarkus-log-max-startup-records=10000"));
        String append = environment.getOrDefault("JAVA_OPTS_APPEND", "").strip();
        if (!append.isEmpty()) {
            command.addAll(List.of(append.split("\\s+")));
        }
        command.addAll(List.of("-cp", HOME.resolve("lib/quarkus-run.jar").toString(),
                "io.quarkus.bootstrap.runner.QuarkusEntryPoint",
                "start", "--import-realm", "--db=dev-file", "--cache=local", "--http-enabled=true",
                "--http-port=" + environment.getOrDefault("KC_HTTP_PORT", "8080")));
        command.addAll(arguments);
        return command;
    }

    static List<String> hostnameProblems(String hostname) {
        String example = " (the URL clients reach Keycloak at and the tokens' issuer, e.g. http://keycloak.platform.svc:8080)";
        if (hostname == null || hostname.isBlank()) {
            return List.of("KC_HOSTNAME is not set" + example);
        }
        try {
            URI uri = new URI(hostname);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                return List.of("KC_HOSTNAME '" + hostname + "' is not an http(s) URL" + example);
            }
        }
        catch (URISyntaxException e) {
            return List.of("KC_HOSTNAME '" + hostname + "' is not a URL: " + e.getReason() + example);
        }
        return List.of();
    }

    static List<Path> realmFiles(Path directory, List<String> problems) {
        if (!Files.isDirectory(directory)) {
            problems.add("the realm directory " + directory + " is not a directory");
            return List.of();
        }
        // Named where they really are (the image links data/import to /opt/keycloak/realms, where one mounts them).
        try (Stream<Path> files = Files.list(directory.toRealPath())) {
            List<Path> realms = files.filter(file -> file.getFileName().toString().endsWith(".json")).sorted().toList();
            if (realms.isEmpty()) {
                problems.add("the realm directory " + directory + " holds no realm file (*.json)");
            }
            return realms;
        }
        catch (IOException e) {
            problems.add("the realm directory " + directory + " cannot be listed: " + e.getMessage());
            return List.of();
        }
    }

    /** Runs the server JVM; TERM to this process stops it (then KILL after 60 s); returns its exit status. */
    private static int run(List<String> command) throws IOException, InterruptedException {
        return Launcher.runChild(command, System.getenv(), java.time.Duration.ofSeconds(60));
    }
}
