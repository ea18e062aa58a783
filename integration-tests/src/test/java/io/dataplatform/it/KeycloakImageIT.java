package io.dataplatform.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;

/**
 * The Keycloak image refuses bad input before Keycloak imports anything: a realm that puts a user in a group it
 * does not define, or no KC_HOSTNAME. (Its good path, the realm serving logins, is {@link TrinoSingleSignOnIT}.)
 */
class KeycloakImageIT {
    private static final Path REALM = Path.of("../images/keycloak/src/main/realm/platform-realm.json");
    private static final String MOUNTED = "/opt/keycloak/realms/platform-realm.json";

    @Test
    void aRealmWithAnUnknownGroupStopsTheStartNamingTheFileAndTheUser() throws Exception {
        String realm = Files.readString(REALM).replace("\"/team-data-engineering\"", "\"/team-data-engineerin\"");
        ContainerExit exit = run(container()
                .withEnv("KC_HOSTNAME", "http://keycloak:8080")
                .withCopyToContainer(Transferable.of(realm.getBytes(StandardCharsets.UTF_8), 0644), MOUNTED));
        assertThat(exit.code()).isEqualTo(1);
        assertThat(exit.logs())
                .contains("platform launcher: " + MOUNTED + ": users[0] (alice): group \"/team-data-engineerin\" is "
                        + "not a group of the realm (groups: /analysts, ")
                .contains("platform launcher: Keycloak was not started (nothing was imported)")
                .doesNotContain("Importing from directory");
    }

    @Test
    void noHostnameStopsTheStart() throws Exception {
        ContainerExit exit = run(container());
        assertThat(exit.code()).isEqualTo(1);
        assertThat(exit.logs()).contains("platform launcher: KC_HOSTNAME is not set (the URL clients reach Keycloak "
                + "at and the tokens' issuer, e.g. http://keycloak.platform.svc:8080)");
    }

    private static GenericContainer<?> container() {
        GenericContainer<?> container = new GenericContainer<>(PlatformImage.of("keycloak").name());
        ContainerExit.expect(container);
        return container;
    }

    private static ContainerExit run(GenericContainer<?> container) {
        try (container) {
            return ContainerExit.of(container);
        }
    }
}
