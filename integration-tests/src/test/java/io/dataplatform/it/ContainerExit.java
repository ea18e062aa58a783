package io.dataplatform.it;

import java.time.Duration;

import com.github.dockerjava.api.DockerClient;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/** How a container expected to stop at once (bad input) ended: its exit code and its output. */
record ContainerExit(long code, String logs) {
    /**
     * Makes {@code start()} wait until the container has exited instead of until it is ready, so that its exit code
     * and output can be read. Call from {@code configure()}; the container must expose no ports (Testcontainers would
     * wait for them to be mapped).
     */
    static void expect(GenericContainer<?> container) {
        expect(container, Duration.ofSeconds(60));
    }

    /** {@link #expect(GenericContainer)} for a container that runs a job to its end, for at most {@code timeout}. */
    static void expect(GenericContainer<?> container, Duration timeout) {
        container.waitingFor(new AbstractWaitStrategy() {
            @Override
            protected void waitUntilReady() {}
        });
        container.withStartupCheckStrategy(new StartupCheckStrategy() {
            @Override
            public StartupStatus checkStartupState(DockerClient docker, String containerId) {
                return Boolean.TRUE.equals(getCurrentState(docker, containerId).getRunning())
                        ? StartupStatus.NOT_YET_KNOWN : StartupStatus.SUCCESSFUL;
            }
        }.withTimeout(timeout));
    }

    /** Starts a container configured with {@link #expect} and reports how it ended. */
    static ContainerExit of(GenericContainer<?> container) {
        container.start();
        return new ContainerExit(container.getCurrentContainerInfo().getState().getExitCodeLong(),
                container.getLogs());
    }
}
