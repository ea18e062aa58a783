package io.dataplatform.it;

import java.time.Duration;
import java.time.Instant;

import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.containers.wait.strategy.WaitStrategy;

/**
 * Another wait strategy, tried in short rounds until its timeout, failing at once with the exit code if the container
 * stops in between (a node with bad configuration exits; Testcontainers' own strategies would sit out the timeout).
 */
final class FailFastWait extends AbstractWaitStrategy {
    private static final Duration ROUND = Duration.ofSeconds(2);

    private final WaitStrategy delegate;

    FailFastWait(WaitStrategy delegate) {
        this.delegate = delegate.withStartupTimeout(ROUND);
    }

    @Override
    protected void waitUntilReady() {
        Instant deadline = Instant.now().plus(startupTimeout);
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            var state = waitStrategyTarget.getCurrentContainerInfo().getState();
            if (!Boolean.TRUE.equals(state.getRunning())) {
                throw new ContainerLaunchException("the container exited with code " + state.getExitCodeLong()
                        + " before it was ready");
            }
            try {
                delegate.waitUntilReady(waitStrategyTarget);
                return;
            }
            catch (RuntimeException notYet) {
                last = notYet;
            }
        }
        throw new ContainerLaunchException("not ready after " + startupTimeout, last);
    }
}
