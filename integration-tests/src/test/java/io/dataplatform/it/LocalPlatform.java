package io.dataplatform.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

import io.fabric8.kubernetes.client.LocalPortForward;

/**
 * The whole platform locally (ci/local-platform): the development cluster and the dev KDC beside it, the dev
 * environment of the Argo CD tree synced onto it as in {@link PlatformDeploymentIT}, Trino forwarded to a local
 * port. Runs until interrupted (Ctrl-C or kill), then removes every container it started.
 */
public final class LocalPlatform {
    private LocalPlatform() {}

    public static void main(String[] args) throws Exception {
        int trinoPort = args.length > 0 ? Integer.parseInt(args[0]) : 8443;
        Instant started = Instant.now();
        DevelopmentPlatform platform = DevelopmentPlatform.shared();
        say("KDC, HDFS and the Kubernetes node up after %d s", Duration.between(started, Instant.now()).toSeconds());
        platform.deploy();
        Path directory = Files.createTempDirectory("local-platform");
        Path kubeconfig = directory.resolve("kubeconfig");
        Files.writeString(kubeconfig, platform.node.kubeconfig());
        Files.setPosixFilePermissions(kubeconfig, PosixFilePermissions.fromString("rw-------"));
        // Trino is HTTPS-only (8443) and authenticates users: tokens come from the dev realm's Keycloak, whose
        // fixed hostname makes every token name the issuer Trino trusts, wherever it was fetched from.
        try (LocalPortForward trino = platform.client.services().inNamespace("platform").withName("trino")
                .portForward(8443, trinoPort);
                LocalPortForward keycloak = platform.client.services().inNamespace("platform").withName("keycloak")
                        .portForward(8080, trinoPort + 1)) {
            say("dev environment deployed and healthy after %d s", Duration.between(started, Instant.now()).toSeconds());
            say("Trino:      https://localhost:%d (the dev TLS certificate; users of the dev realm, with a token)",
                    trino.getLocalPort());
            say("Keycloak:   http://localhost:%d/realms/platform; a token for bob: curl -s -d grant_type=password "
                    + "-d scope=openid -d client_id=trino -d client_secret=%s -d username=bob -d password=dev-bob-password "
                    + "http://localhost:%d/realms/platform/protocol/openid-connect/token, then "
                    + "trino --server https://localhost:%d --insecure --access-token <access_token>",
                    keycloak.getLocalPort(), DevelopmentPlatform.TRINO_CLIENT_SECRET, keycloak.getLocalPort(),
                    trino.getLocalPort());
            say("Kubernetes: KUBECONFIG=%s (API server %s)", kubeconfig, platform.node.kubeconfig().lines()
                    .filter(line -> line.strip().startsWith("server:")).findFirst().orElse("")
                    .strip().substring("server:".length()).strip());
            say("HDFS:       hdfs://namenode.%s:8020, KDC kdc.%s:%d, realm %s (keytabs in %s)",
                    DevelopmentPlatform.DOMAIN, DevelopmentPlatform.DOMAIN, KdcContainer.KDC_PORT,
                    DevelopmentPlatform.REALM, platform.hdfs.keytabs);
            say("stop:       Ctrl-C, or kill %d (every container goes with it)", ProcessHandle.current().pid());
            new CountDownLatch(1).await();
        }
    }

    private static void say(String format, Object... arguments) {
        System.out.printf("[local-platform] " + format + "%n", arguments);
    }
}
