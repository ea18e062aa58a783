package io.dataplatform.spark.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The image's health check. A standalone master is healthy when its JSON status says ALIVE; a worker when it is
 * registered with a master; drivers and executors are healthy while their process runs (Spark's own heartbeats
 * watch them). Exit 0 = healthy, 1 = not, with the reason on stdout.
 */
public final class SparkHealthCheck {
    private SparkHealthCheck() {}

    public static void main(String[] args) {
        String confDir = System.getenv().getOrDefault("SPARK_CONF_DIR", "/run/spark/conf");
        String role;
        try {
            role = Files.readString(Path.of(confDir, SparkEntrypoint.ROLE_FILE)).strip();
        }
        catch (IOException e) {
            System.out.println("unhealthy: not started yet (no " + confDir + "/role)");
            System.exit(1);
            return;
        }
        String problem = switch (role) {
            case "master" -> check("http://127.0.0.1:" + System.getenv().getOrDefault("SPARK_MASTER_WEBUI_PORT", "8080")
                    + "/json/", "\"status\"\\s*:\\s*\"ALIVE\"", "the master is not ALIVE");
            case "worker" -> check("http://127.0.0.1:" + System.getenv().getOrDefault("SPARK_WORKER_WEBUI_PORT", "8081")
                    + "/json/", "\"masterwebuiurl\"\\s*:\\s*\"http", "the worker is not registered with a master");
            default -> null;
        };
        if (problem != null) {
            System.out.println("unhealthy: " + problem);
            System.exit(1);
        }
        System.out.println("healthy: " + role);
    }

    private static String check(String url, String expected, String otherwise) {
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return url + " answered " + response.statusCode();
            }
            return java.util.regex.Pattern.compile(expected).matcher(response.body()).find() ? null : otherwise;
        }
        catch (IOException e) {
            return url + " does not answer: " + e.getMessage();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
