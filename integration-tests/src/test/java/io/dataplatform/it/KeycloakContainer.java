package io.dataplatform.it;

import java.net.URI;
import java.time.Duration;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The platform's development identity provider (images/keycloak) with the platform realm of the image, reachable
 * in its network as {@code http://keycloak:8080}, which is also the issuer of its tokens wherever they are asked for.
 * Up when the realm publishes its discovery document.
 */
final class KeycloakContainer extends GenericContainer<KeycloakContainer> {
    static final int PORT = 8080;
    static final String ALIAS = "keycloak";
    static final String ISSUER = "http://" + ALIAS + ":" + PORT + "/realms/platform";
    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "dev-admin-password";

    KeycloakContainer() {
        super(PlatformImage.of("keycloak").name());
        withNetworkAliases(ALIAS);
        withEnv("KC_HOSTNAME", "http://" + ALIAS + ":" + PORT);
        withEnv("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN);
        withEnv("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        // Small heap for the tests (the image's default is 65 % of the container's memory).
        withEnv("JAVA_OPTS_APPEND", "-Xmx512m");
        withExposedPorts(PORT);
        withStartupAttempts(1);
        waitingFor(new FailFastWait(Wait.forHttp("/realms/platform/.well-known/openid-configuration").forPort(PORT)
                .forStatusCode(200)).withStartupTimeout(Duration.ofMinutes(3)));
    }

    /**
     * {@code uri} as the test JVM reaches it: the realm's address in redirects ({@code http://keycloak:8080}, as the
     * services and the tokens know it) at the mapped port; any other address as it is.
     */
    URI reachable(URI uri) {
        if (!ALIAS.equals(uri.getHost())) {
            return uri;
        }
        return URI.create(hostUrl() + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }

    /** The realm's URL as the test JVM reaches it (the mapped port on loopback). */
    String hostUrl() {
        return "http://127.0.0.1:%d".formatted(getMappedPort(PORT));
    }
}
