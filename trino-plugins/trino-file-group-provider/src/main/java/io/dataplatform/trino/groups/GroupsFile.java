package io.dataplatform.trino.groups;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The groups file format: one group per line, {@code <group>: <user>, <user>, ...}; blank lines and lines starting
 * with '#' are ignored. Group names are lower-case letters, digits, '_' and '-', starting with a letter; user names
 * are any run of characters without spaces, ',' or ':'. A group may list no users; a group may appear only once.
 *
 * <pre>
 * # Kubernetes ConfigMap "trino-groups", key groups.txt
 * analysts: alice, bob
 * network-planning: carol, alice
 * </pre>
 */
record GroupsFile(Map<String, Set<String>> groupsByUser) {
    private static final Pattern GROUP = Pattern.compile("[a-z][a-z0-9_-]*");
    private static final Pattern USER = Pattern.compile("[^\\s,:]+");

    GroupsFile {
        groupsByUser = Map.copyOf(groupsByUser);
    }

    static GroupsFile parse(String source, List<String> lines) {
        requireNonNull(source, "source is null");
        Map<String, Set<String>> groupsByUser = new HashMap<>();
        Set<String> groups = new LinkedHashSet<>();
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + ":" + number;
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new MalformedGroupsFileException(where, "expected '<group>: <user>, <user>, ...'");
            }
            String group = line.substring(0, colon).strip();
            if (!GROUP.matcher(group).matches()) {
                throw new MalformedGroupsFileException(where, "'%s' is not a valid group name (lower-case letters, "
                        .formatted(group) + "digits, '_', '-', starting with a letter)");
            }
            if (!groups.add(group)) {
                throw new MalformedGroupsFileException(where, "group '%s' is listed twice".formatted(group));
            }
            String members = line.substring(colon + 1).strip();
            if (members.isEmpty()) {
                continue;
            }
            for (String member : members.split(",", -1)) {
                String user = member.strip();
                if (!USER.matcher(user).matches()) {
                    throw new MalformedGroupsFileException(where, "'%s' is not a valid user name in group '%s'"
                            .formatted(user, group));
                }
                groupsByUser.computeIfAbsent(user, key -> new LinkedHashSet<>()).add(group);
            }
        }
        Map<String, Set<String>> frozen = new HashMap<>();
        groupsByUser.forEach((user, userGroups) -> frozen.put(user, Set.copyOf(userGroups)));
        return new GroupsFile(frozen);
    }

    Set<String> groupsOf(String user) {
        return groupsByUser.getOrDefault(user, Set.of());
    }

    static final class MalformedGroupsFileException extends RuntimeException {
        MalformedGroupsFileException(String where, String message) {
            super(where + ": " + message);
        }
    }
}
