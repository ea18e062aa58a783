package io.dataplatform.it;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Ready when the container's output has a line matching a pattern; fails at once, with the exit code, if the
 * container stops first (Testcontainers' log wait would sit out its whole timeout).
 */
final class LogLineWait extends AbstractWaitStrategy {
    private final Pattern line;

    LogLineWait(String regex) {
        this.line = Pattern.compile(regex, Pattern.MULTILINE);
    }

    @Override
    protected void waitUntilReady() {
        Instant deadline = Instant.now().plus(startupTimeout);
        while (Instant.now().isBefore(deadline)) {
            if (line.matcher(waitStrategyTarget.getLogs()).find()) {
                return;
            }
            var state = waitStrategyTarget.getCurrentContainerInfo().getState();
            if (!Boolean.TRUE.equals(state.getRunning())) {
                throw new ContainerLaunchException("the container exited with code " + state.getExitCodeLong()
                        + " before printing a line matching '" + line + "'");
            }
            try {
                Thread.sleep(Duration.ofMillis(250));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerLaunchException("interrupted", e);
            }
        }
        throw new ContainerLaunchException("no line matching '" + line + "' after " + startupTimeout);
    }
}
