package io.dataplatform.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.images.builder.Transferable;

/**
 * One run of the image probe in a Java runtime image: the container runs the requested checks and exits, and
 * {@link #results()} reads the {@code key=value} lines it printed.
 */
final class JreContainer extends GenericContainer<JreContainer> {
    private static final String CHAIN = "/opt/probe/chain.pem";

    private final List<String> checks = new ArrayList<>();

    JreContainer(PlatformImage image) {
        super(image.name());
    }

    JreContainer withChecks(String... names) {
        checks.addAll(List.of(names));
        return this;
    }

    @Override
    protected void configure() {
        // File by file with an explicit mode: the compiled classes live in a private (0700) temporary directory.
        try (var classFiles = java.nio.file.Files.list(ImageProbe.classes())) {
            classFiles.forEach(classFile -> withCopyToContainer(Transferable.of(readFile(classFile), 0644),
                    ImageProbe.CONTAINER_DIRECTORY + "/" + classFile.getFileName()));
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        withCopyToContainer(Transferable.of(readResource("/tls/code-signing-chain.pem"), 0644), CHAIN);
        List<String> command = new ArrayList<>(List.of("java", "-Dprobe.chain=" + CHAIN,
                "-cp", ImageProbe.CONTAINER_DIRECTORY, ImageProbe.CLASS_NAME));
        command.addAll(checks);
        withCommand(command.toArray(String[]::new));
        withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(1)));
    }

    Map<String, String> results() {
        Map<String, String> results = new LinkedHashMap<>();
        for (String line : getLogs().split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                results.put(line.substring(0, equals), line.substring(equals + 1).strip());
            }
        }
        return results;
    }

    private static byte[] readFile(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readAllBytes(file);
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] readResource(String name) {
        try (var input = JreContainer.class.getResourceAsStream(name)) {
            if (input == null) {
                throw new IllegalStateException(name + " is not on the test class path");
            }
            return input.readAllBytes();
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
