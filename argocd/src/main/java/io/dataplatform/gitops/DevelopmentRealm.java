package io.dataplatform.gitops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The development identity provider's realm as code ({@code images/keycloak/src/main/realm/platform-realm.json}):
 * onboarding a team adds its {@code team-<team>} group there, as the build requires one per team (RealmCheck).
 * Production's identity provider is the corporate one; its team creates the group there.
 */
final class DevelopmentRealm {
    static final Path FILE = Path.of("images/keycloak/src/main/realm/platform-realm.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Two-space indentation, {@code "key": value}: how the file is kept, so that a change is a small diff. */
    private static final DefaultPrettyPrinter PRINTER = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));

    private DevelopmentRealm() {}

    /** The realm of the repository {@code teams} belongs to ({@code argocd/teams}), if that repository has one. */
    static Optional<Path> of(Path teams) {
        Path root = teams.toAbsolutePath().normalize().getParent().getParent();
        Path file = root.resolve(FILE);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** Whether {@code file} defines the group {@code team-<team>}. */
    static boolean hasGroup(Path file, String team) {
        for (JsonNode group : read(file).path("groups")) {
            if (("team-" + team).equals(group.path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    /** Adds the group {@code team-<team>} after the last team group (no member: people join in the IdP). */
    static void addGroup(Path file, String team) {
        ObjectNode realm = read(file);
        ArrayNode groups = realm.withArray("groups");
        int position = 0;
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).path("name").asText().startsWith("team-")) {
                position = i + 1;
            }
        }
        groups.insert(position, JSON.createObjectNode().put("name", "team-" + team));
        write(file, realm);
    }

    static void write(Path file, JsonNode realm) {
        try {
            Files.writeString(file, JSON.writer(PRINTER).writeValueAsString(realm) + "\n");
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static ObjectNode read(Path file) {
        try {
            return (ObjectNode) JSON.readTree(file.toFile());
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
