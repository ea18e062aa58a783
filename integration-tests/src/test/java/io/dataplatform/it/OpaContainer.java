package io.dataplatform.it;

import java.time.Duration;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The platform's OPA image: the server with the policy bundle of opa-policies, up when {@code /health?bundles}
 * says the bundle is loaded.
 */
final class OpaContainer extends GenericContainer<OpaContainer> {
    static final int PORT = 8181;

    OpaContainer() {
        super(PlatformImage.of("opa").name());
        withExposedPorts(PORT);
        withStartupAttempts(1);
        waitingFor(new FailFastWait(Wait.forHttp("/health?bundles").forPort(PORT).forStatusCode(200))
                .withStartupTimeout(Duration.ofMinutes(1)));
    }
}
