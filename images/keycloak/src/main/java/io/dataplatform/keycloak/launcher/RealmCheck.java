package io.dataplatform.keycloak.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Checks a realm file (Keycloak's import format) before anything imports it: the build runs it on the realm kept as
 * code, the launcher on every realm it is about to import, so a mistake stops both with the file and the place and
 * Keycloak never sees a half-right realm.
 *
 * <p>What it checks: the file is JSON (else {@code file:line:column}); the realm has a name; group names are unique;
 * every group a user is put in exists; client ids are unique; each OpenID Connect client maps the {@code groups}
 * claim (the platform's services decide on groups) and a browser client names its redirect URIs; and, given the
 * teams directory of the Argo CD tree, every team has its {@code team-<team>} group.
 *
 * <p>Usage: {@code RealmCheck [--teams=DIR] REALM.json...}; exit status 1 with one line per problem on stderr.
 */
public final class RealmCheck {
    static final String TEAM_GROUP_PREFIX = "team-";
    static final String GROUP_MAPPER = "oidc-group-membership-mapper";
    static final String GROUPS_CLAIM = "groups";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private RealmCheck() {}

    public static void main(String[] args) throws IOException {
        Optional<Path> teams = Optional.empty();
        List<Path> files = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--teams=")) {
                teams = Optional.of(Path.of(arg.substring("--teams=".length())));
            }
            else {
                files.add(Path.of(arg));
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: RealmCheck [--teams=DIR] REALM.json...");
            System.exit(2);
        }
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            List<String> found = problems(file, teams);
            if (found.isEmpty()) {
                System.out.println("realm check: " + file + ": " + summary(file));
            }
            problems.addAll(found);
        }
        if (!problems.isEmpty()) {
            problems.forEach(problem -> System.err.println("realm check: " + problem));
            System.exit(1);
        }
    }

    /** The realm's name in {@code file} (already checked). */
    public static String realmName(Path file) throws IOException {
        return JSON.readTree(file.toFile()).path("realm").asText();
    }

    /** Every problem of {@code file}, each naming the file and the place; empty when the realm may be imported. */
    public static List<String> problems(Path file, Optional<Path> teamsDirectory) {
        JsonNode realm;
        try {
            realm = JSON.readTree(file.toFile());
        }
        catch (JsonProcessingException e) {
            var location = e.getLocation();
            String where = location == null ? "" : ":%d:%d".formatted(location.getLineNr(), location.getColumnNr());
            return List.of("%s%s: not a realm file (JSON): %s".formatted(file, where, e.getOriginalMessage()));
        }
        catch (IOException e) {
            return List.of("%s: cannot read it: %s".formatted(file, e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        if (realm == null || !realm.isObject()) {
            return List.of(file + ": not a realm file: the top level is not a JSON object");
        }
        if (realm.path("realm").asText("").isBlank()) {
            problems.add(file + ": the realm has no name (\"realm\")");
        }

        Set<String> groups = new TreeSet<>();
        collectGroups(file, realm.path("groups"), "", groups, problems);

        JsonNode users = realm.path("users");
        for (int i = 0; i < users.size(); i++) {
            JsonNode user = users.get(i);
            String name = user.path("username").asText("");
            String where = "%s: users[%d] (%s)".formatted(file, i, name.isBlank() ? "no username" : name);
            if (name.isBlank()) {
                problems.add(where + ": no \"username\"");
            }
            for (JsonNode group : user.path("groups")) {
                String path = group.asText();
                String normalised = path.startsWith("/") ? path : "/" + path;
                if (!groups.contains(normalised)) {
                    problems.add("%s: group \"%s\" is not a group of the realm (groups: %s)".formatted(where, path,
                            String.join(", ", groups)));
                }
            }
        }

        Set<String> clientIds = new LinkedHashSet<>();
        JsonNode clients = realm.path("clients");
        for (int i = 0; i < clients.size(); i++) {
            JsonNode client = clients.get(i);
            String clientId = client.path("clientId").asText("");
            String where = "%s: clients[%d] (%s)".formatted(file, i, clientId.isBlank() ? "no clientId" : clientId);
            if (clientId.isBlank()) {
                problems.add(where + ": no \"clientId\"");
            }
            else if (!clientIds.add(clientId)) {
                problems.add(where + ": a second client with this clientId");
            }
            if (!"openid-connect".equals(client.path("protocol").asText("openid-connect"))) {
                continue;
            }
            if (!mapsGroups(client)) {
                problems.add(where + ": no \"" + GROUPS_CLAIM + "\" claim (a protocol mapper of type " + GROUP_MAPPER
                        + " with claim.name " + GROUPS_CLAIM + ")");
            }
            if (client.path("standardFlowEnabled").asBoolean(true) && !client.path("bearerOnly").asBoolean(false)
                    && client.path("redirectUris").isEmpty()) {
                problems.add(where + ": logs users in (standardFlowEnabled) but names no \"redirectUris\"");
            }
        }

        teamsDirectory.ifPresent(directory -> {
            for (String team : teams(directory, problems)) {
                if (!groups.contains("/" + TEAM_GROUP_PREFIX + team)) {
                    problems.add("%s: team %s (%s) has no group \"%s%s\" in the realm".formatted(file, team,
                            directory.resolve(team), TEAM_GROUP_PREFIX, team));
                }
            }
        });
        return problems;
    }

    private static void collectGroups(Path file, JsonNode nodes, String parent, Set<String> groups,
            List<String> problems) {
        for (JsonNode group : nodes) {
            String name = group.path("name").asText("");
            if (name.isBlank()) {
                problems.add("%s: a group under \"%s\" has no \"name\"".formatted(file, parent.isEmpty() ? "/" : parent));
                continue;
            }
            String path = parent + "/" + name;
            if (!groups.add(path)) {
                problems.add("%s: group \"%s\" is defined twice".formatted(file, path));
            }
            collectGroups(file, group.path("subGroups"), path, groups, problems);
        }
    }

    private static boolean mapsGroups(JsonNode client) {
        for (JsonNode mapper : client.path("protocolMappers")) {
            if (GROUP_MAPPER.equals(mapper.path("protocolMapper").asText())
                    && GROUPS_CLAIM.equals(mapper.path("config").path("claim.name").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The teams of the Argo CD tree: one directory per team under {@code directory}. */
    private static List<String> teams(Path directory, List<String> problems) {
        if (!Files.isDirectory(directory)) {
            problems.add(directory + ": the teams directory does not exist");
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(Files::isDirectory).map(path -> path.getFileName().toString()).sorted().toList();
        }
        catch (IOException e) {
            problems.add(directory + ": cannot list it: " + e.getMessage());
            return List.of();
        }
    }

    private static String summary(Path file) throws IOException {
        JsonNode realm = JSON.readTree(file.toFile());
        Set<String> groups = new TreeSet<>();
        collectGroups(file, realm.path("groups"), "", groups, new ArrayList<>());
        return "realm %s, %d groups, %d clients, %d users".formatted(realm.path("realm").asText(), groups.size(),
                realm.path("clients").size(), realm.path("users").size());
    }
}
