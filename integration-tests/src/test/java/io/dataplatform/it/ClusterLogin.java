package io.dataplatform.it;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;

/**
 * A login through the development cluster's Keycloak, as a browser does it: the service's login page at
 * {@code start} (a port forward the caller holds), the realm's form reached through a port forward of its own where
 * redirects name {@code keycloak.platform.svc:8080} (the issuer the services know), back to the service.
 */
final class ClusterLogin {
    private static final String REALM_HOST = "keycloak.platform.svc";

    /** Where the login ended, the browser (its cookies) and how long it took. */
    record Result(HttpResponse<String> page, Browser browser, Duration took) {}

    private ClusterLogin() {}

    /** {@code user} with {@code password}, up to the redirect {@code stop} accepts (or the last page). */
    static Result logIn(KubernetesClient client, URI start, String user, String password, Predicate<URI> stop)
            throws Exception {
        try (LocalPortForward realm = client.services().inNamespace("platform").withName("keycloak").portForward(8080)) {
            Browser browser = new Browser(null, uri -> REALM_HOST.equals(uri.getHost())
                    ? URI.create("http://127.0.0.1:" + realm.getLocalPort() + uri.getRawPath()
                            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
                    : uri);
            Instant started = Instant.now();
            HttpResponse<String> page = browser.login(start, user, password, stop);
            return new Result(page, browser, Duration.between(started, Instant.now()));
        }
    }
}
