package io.dataplatform.keycloak.launcher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The image's health check: healthy when every imported realm publishes its OpenID Connect discovery document on
 * the HTTP port, i.e. the server is up and the realm the platform logs in through is there, not merely a process.
 */
public final class KeycloakHealthCheck {
    private KeycloakHealthCheck() {}

    public static void main(String[] args) {
        String port = System.getenv().getOrDefault("KC_HTTP_PORT", "8080");
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            List<Path> realms = KeycloakLauncher.realmFiles(KeycloakLauncher.REALM_DIR, new ArrayList<>());
            if (realms.isEmpty()) {
                System.out.println("unhealthy: no realm in " + KeycloakLauncher.REALM_DIR);
                System.exit(1);
            }
            for (Path realm : realms) {
                String name = RealmCheck.realmName(realm);
                URI discovery = URI.create("http://localhost:%s/realms/%s/.well-known/openid-configuration"
                        .formatted(port, name));
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(discovery)
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200 || !response.body().contains("\"issuer\"")) {
                    System.out.println("unhealthy: " + discovery + " answered " + response.statusCode());
                    System.exit(1);
                }
            }
            System.out.println("healthy: " + realms.size() + " realm(s) published");
        }
        catch (Exception e) {
            System.out.println("unhealthy: " + e);
            System.exit(1);
        }
    }
}
