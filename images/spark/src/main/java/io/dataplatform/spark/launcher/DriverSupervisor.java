package io.dataplatform.spark.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client-mode driver in a Kubernetes pod runs as a child JVM of this one, which stays as the pod's first process.
 * When the driver ends for any reason — its job done, TERM (the pod deleted, the Airflow task killed), or its JVM
 * killed outright — the supervisor deletes the executor pods still labelled with this driver's pod
 * ({@link SparkSettings#DRIVER_POD_LABEL}) before it exits with the driver's status. Spark deletes its executors
 * itself only when its JVM stops in an orderly way, and Kubernetes removes them (owner references) only when the
 * driver's pod object goes; a killed JVM in a pod that stays would leave them running.
 */
final class DriverSupervisor {
    /** Set in the child's environment: that JVM is the driver itself. */
    static final String SUPERVISED = "PLATFORM_SPARK_SUPERVISED";
    /** The driver JVM's process id, for operators (and the tests) who need to signal it. */
    static final Path PID_FILE = Path.of("/tmp/spark-driver.pid");
    private static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    private static final Duration GRACE = Duration.ofSeconds(20);

    private DriverSupervisor() {}

    /** In a pod (the downward API's POD_NAME and POD_NAMESPACE, a service account), and not the child itself. */
    static boolean applies(Map<String, String> environment) {
        return !environment.containsKey(SUPERVISED) && !environment.getOrDefault("POD_NAME", "").isBlank()
                && !environment.getOrDefault("POD_NAMESPACE", "").isBlank()
                && Files.isReadable(SERVICE_ACCOUNT.resolve("token"));
    }

    static int run(Map<String, String> environment) throws IOException, InterruptedException {
        ProcessHandle.Info self = ProcessHandle.current().info();
        List<String> command = new ArrayList<>();
        command.add(self.command().orElseThrow(() -> new IllegalStateException("cannot read this JVM's command")));
        command.addAll(List.of(self.arguments().orElseThrow(() -> new IllegalStateException("cannot read this JVM's arguments"))));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put(SUPERVISED, "true");
        Process driver = builder.start();
        Files.writeString(PID_FILE, driver.pid() + "\n");
        System.out.println("spark: driver JVM " + driver.pid() + " supervised; its executor pods go when it does");
        Thread stop = new Thread(() -> {
            // TERM to this process (the pod deleted): the driver stops its application, then the rest go.
            driver.destroy();
            try {
                if (!driver.waitFor(GRACE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                    driver.destroyForcibly();
                }
                deleteExecutors(environment);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "driver-supervisor-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        int status = driver.waitFor();
        deleteExecutors(environment);
        if (status != 0) {
            System.err.println("spark: the driver JVM exited with status " + status);
        }
        return status;
    }

    /** Deletes this driver's remaining executor pods (none is a success); failures are reported, not thrown. */
    static void deleteExecutors(Map<String, String> environment) {
        String namespace = environment.get("POD_NAMESPACE").strip();
        String selector = SparkSettings.DRIVER_POD_LABEL + "=" + environment.get("POD_NAME").strip();
        String server = "https://" + environment.getOrDefault("KUBERNETES_SERVICE_HOST", "kubernetes.default.svc")
                + ":" + environment.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
        try {
            HttpClient client = HttpClient.newBuilder().sslContext(serviceAccountTrust())
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(server + "/api/v1/namespaces/" + namespace
                            + "/pods?labelSelector=" + URLEncoder.encode(selector, StandardCharsets.UTF_8)
                            + "&gracePeriodSeconds=0"))
                    .header("Authorization", "Bearer " + Files.readString(SERVICE_ACCOUNT.resolve("token")).strip())
                    .timeout(Duration.ofSeconds(10)).DELETE().build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                System.err.printf("spark: deleting the executor pods (%s) failed: HTTP %d %s%n", selector,
                        response.statusCode(), response.body());
            }
        }
        catch (IOException | java.security.GeneralSecurityException e) {
            System.err.printf("spark: deleting the executor pods (%s) failed: %s%n", selector, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static SSLContext serviceAccountTrust() throws IOException, java.security.GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream input = Files.newInputStream(SERVICE_ACCOUNT.resolve("ca.crt"))) {
            int index = 0;
            for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(input)) {
                trust.setCertificateEntry("ca-" + index++, certificate);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
