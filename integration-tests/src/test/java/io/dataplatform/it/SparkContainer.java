package io.dataplatform.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.testcontainers.containers.GenericContainer;

/**
 * A container of the platform's Spark image: a standalone master or worker (up when the master is ALIVE / the
 * worker registered), or a client-mode driver, which either runs to its end ({@link ContainerExit#of}) or, when
 * {@link #untilFirstStage()} is asked, is up once its first stage started.
 */
final class SparkContainer extends GenericContainer<SparkContainer> {
    static final int MASTER_PORT = 7077;
    static final int MASTER_UI = 8080;
    static final int WORKER_UI = 8081;
    static final String MASTER_URL = "spark://" + PlatformNetwork.fqdn("spark-master") + ":" + MASTER_PORT;
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum Kind { MASTER, WORKER, DRIVER }

    private final Kind kind;
    private final List<String> command;
    private boolean untilFirstStage;
    private Duration jobTimeout = Duration.ofMinutes(5);

    private SparkContainer(PlatformImage image, Kind kind, List<String> command) {
        super(image.name());
        this.kind = kind;
        this.command = command;
    }

    static SparkContainer master(PlatformImage image) {
        return new SparkContainer(image, Kind.MASTER, List.of("master"));
    }

    static SparkContainer worker(PlatformImage image) {
        return new SparkContainer(image, Kind.WORKER, List.of("worker", MASTER_URL));
    }

    /** A driver started with the image's {@code sql} or {@code submit} entry point and these arguments. */
    static SparkContainer driver(PlatformImage image, String role, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(role);
        command.addAll(List.of(arguments));
        return new SparkContainer(image, Kind.DRIVER, command);
    }

    /** How long a driver run to its end may take (default 5 minutes). */
    SparkContainer withJobTimeout(Duration timeout) {
        jobTimeout = timeout;
        return this;
    }

    SparkContainer untilFirstStage() {
        untilFirstStage = true;
        return this;
    }

    @Override
    protected void configure() {
        withCommand(command.toArray(String[]::new));
        withStartupAttempts(1);
        switch (kind) {
            case MASTER -> {
                withEnv("JDK_JAVA_OPTIONS", "-Xmx256m");
                withExposedPorts(MASTER_UI);
                waitingFor(new LogLineWait("New state: ALIVE").withStartupTimeout(Duration.ofMinutes(2)));
            }
            case WORKER -> {
                // One executor of one core per worker, so that an application's two executors land on both.
                withEnv("SPARK_WORKER_CORES", "1");
                withEnv("SPARK_WORKER_MEMORY", "1g");
                withExposedPorts(WORKER_UI);
                waitingFor(new LogLineWait("Successfully registered with master")
                        .withStartupTimeout(Duration.ofMinutes(2)));
            }
            case DRIVER -> {
                withEnv("SPARK_MASTER_URL", MASTER_URL);
                withEnv("JDK_JAVA_OPTIONS", "-Xmx768m");
                if (untilFirstStage) {
                    waitingFor(new LogLineWait("^\\[spark] stage \\d+ started").withStartupTimeout(Duration.ofMinutes(3)));
                }
                else {
                    ContainerExit.expect(this, jobTimeout);
                }
            }
        }
    }

    /** The standalone UI's JSON status (master: applications and workers; worker: its executors). */
    JsonNode status() throws IOException, InterruptedException {
        int port = kind == Kind.MASTER ? MASTER_UI : WORKER_UI;
        URI uri = URI.create("http://" + getHost() + ":" + HostPorts.current(this, port) + "/json/");
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
