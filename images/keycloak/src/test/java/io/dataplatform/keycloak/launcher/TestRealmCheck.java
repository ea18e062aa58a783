package io.dataplatform.keycloak.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestRealmCheck {
    private static final Path PLATFORM_REALM = Path.of("src/main/realm/platform-realm.json");
    private static final Path TEAMS = Path.of("../../argocd/teams");

    @TempDir
    Path directory;

    @Test
    void thePlatformRealmPassesWithEveryTeamOfTheArgoCdTree() {
        assertThat(RealmCheck.problems(PLATFORM_REALM, Optional.of(TEAMS))).isEmpty();
    }

    @Test
    void aUserInAnUnknownGroupIsNamedWithTheFileAndTheUser() throws IOException {
        Path realm = write(Files.readString(PLATFORM_REALM).replace("\"/region-north\"", "\"/region-nort\""));
        assertThat(RealmCheck.problems(realm, Optional.empty()))
                .singleElement().asString()
                .startsWith(realm + ": users[1] (bob): group \"/region-nort\" is not a group of the realm (groups: ")
                .contains("region-north");
    }

    @Test
    void malformedJsonIsNamedWithLineAndColumn() throws IOException {
        Path realm = write("{\n  \"realm\": \"platform\",\n  \"groups\": [ { \"name\": \"analysts\" }, ]\n}\n");
        assertThat(RealmCheck.problems(realm, Optional.empty()))
                .singleElement().asString()
                .startsWith(realm + ":3:")
                .contains("not a realm file (JSON)");
    }

    @Test
    void aTeamWithoutItsGroupIsNamed() throws IOException {
        Path teams = Files.createDirectories(directory.resolve("teams"));
        Files.createDirectories(teams.resolve("data-engineering"));
        Files.createDirectories(teams.resolve("fraud"));
        assertThat(RealmCheck.problems(PLATFORM_REALM, Optional.of(teams)))
                .containsExactly(PLATFORM_REALM + ": team fraud (" + teams.resolve("fraud")
                        + ") has no group \"team-fraud\" in the realm");
    }

    @Test
    void aClientWithoutTheGroupsClaimOrRedirectsAndDuplicatesAreNamed() throws IOException {
        Path realm = write("""
                {"realm": "platform", "groups": [{"name": "analysts"}, {"name": "analysts"}],
                 "clients": [
                   {"clientId": "trino", "redirectUris": []},
                   {"clientId": "trino", "bearerOnly": true, "protocolMappers": [
                     {"protocolMapper": "oidc-group-membership-mapper", "config": {"claim.name": "groups"}}]}]}
                """);
        assertThat(RealmCheck.problems(realm, Optional.empty())).containsExactly(
                realm + ": group \"/analysts\" is defined twice",
                realm + ": clients[0] (trino): no \"groups\" claim (a protocol mapper of type "
                        + "oidc-group-membership-mapper with claim.name groups)",
                realm + ": clients[0] (trino): logs users in (standardFlowEnabled) but names no \"redirectUris\"",
                realm + ": clients[1] (trino): a second client with this clientId");
    }

    @Test
    void theLauncherRefusesAMissingHostnameOrAnEmptyRealmDirectory() throws IOException {
        assertThat(KeycloakLauncher.hostnameProblems(null)).singleElement().asString().startsWith("KC_HOSTNAME is not set");
        assertThat(KeycloakLauncher.hostnameProblems("keycloak:8080")).singleElement().asString()
                .startsWith("KC_HOSTNAME 'keycloak:8080' is not an http(s) URL");
        assertThat(KeycloakLauncher.hostnameProblems("http://keycloak:8080")).isEmpty();
        List<String> problems = new java.util.ArrayList<>();
        assertThat(KeycloakLauncher.realmFiles(directory, problems)).isEmpty();
        assertThat(problems).containsExactly("the realm directory " + directory + " holds no realm file (*.json)");
    }

    @Test
    void theServerStartsWithThePlatformsOptionsAndTheCallersArguments() {
        List<String> command = KeycloakLauncher.command(Map.of("JAVA_OPTS_APPEND", " -Xmx300m  -Dx=y "),
                List.of("--log-level=info"));
        assertThat(command).containsSubsequence("-Xmx300m", "-Dx=y", "-cp", "io.quarkus.bootstrap.runner.QuarkusEntryPoint",
                "start", "--import-realm", "--db=dev-file", "--cache=local", "--http-enabled=true", "--http-port=8080",
                "--log-level=info");
    }

    private Path write(String text) throws IOException {
        return Files.writeString(directory.resolve("realm.json"), text);
    }
}
