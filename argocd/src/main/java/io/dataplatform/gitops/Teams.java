package io.dataplatform.gitops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The teams of the Argo CD tree ({@code argocd/teams/<team>/values-<team>.yaml}).
 *
 * <pre>
 * Teams check &lt;teams directory&gt;                     every file valid; exit 1 naming file and field otherwise
 * Teams onboard &lt;teams directory&gt; &lt;team&gt; --description TEXT --owner EMAIL [--owner EMAIL ...]
 *       --cpu CORES --memory QUANTITY --storage QUANTITY [--pods N] --dag-repository URL [--dag-branch main]
 *       [--dag-path dags] [--principal etl-&lt;team&gt;] [--log-storage 10Gi] [--no-repository-check] [--dry-run]
 * </pre>
 *
 * Onboarding validates everything first — the DAG repository is reached ({@code git ls-remote}) unless
 * {@code --no-repository-check} — and writes nothing on bad input (exit 1, one line per problem).
 */
public final class Teams {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> OPTIONS = List.of("description", "owner", "cpu", "memory", "storage", "pods",
            "dag-repository", "dag-branch", "dag-path", "principal", "log-storage");

    private Teams() {}

    /** Reads and checks one values file; problems start with the file and the field. */
    static List<String> check(Path file) {
        List<String> problems = new ArrayList<>();
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        }
        catch (IOException e) {
            return List.of(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            return List.of(file + ": expected a mapping with " + TeamValues.FIELDS);
        }
        root.fieldNames().forEachRemaining(name -> {
            if (!TeamValues.FIELDS.contains(name)) {
                problems.add(file + ": " + name + ": unknown field (expected " + TeamValues.FIELDS + ")");
            }
        });
        JsonNode quota = root.path("quota");
        quota.fieldNames().forEachRemaining(name -> {
            if (!TeamValues.QUOTA_FIELDS.contains(name)) {
                problems.add(file + ": quota." + name + ": unknown field (expected " + TeamValues.QUOTA_FIELDS + ")");
            }
        });
        for (String integer : List.of("cpu", "pods")) {
            if (!quota.path(integer).isInt()) {
                problems.add(file + ": quota." + integer + ": must be a whole number");
            }
        }
        AirflowValues airflow = airflow(root.path("airflow"), file, problems);
        List<String> owners = new ArrayList<>();
        root.path("owners").forEach(owner -> owners.add(owner.asText()));
        TeamValues values = new TeamValues(text(root, "team"), text(root, "description"), owners,
                quota.path("cpu").asInt(), text(quota, "memory"), text(quota, "storage"), quota.path("pods").asInt(),
                airflow);
        values.validate().forEach(problem -> problems.add(file + ": " + problem));
        String directory = file.getParent().getFileName().toString();
        if (values.team() != null && (!values.team().equals(directory)
                || !file.getFileName().toString().equals("values-" + values.team() + ".yaml"))) {
            problems.add(file + ": team: '" + values.team() + "' must match its directory and file name "
                    + "(teams/<team>/values-<team>.yaml)");
        }
        return problems;
    }

    /** The airflow section, its unknown fields and wrong types added to problems; null when it is missing. */
    private static AirflowValues airflow(JsonNode airflow, Path file, List<String> problems) {
        if (airflow.isMissingNode() || airflow.isNull()) {
            return null;
        }
        if (!airflow.isObject()) {
            problems.add(file + ": airflow: must be a mapping (dags, principal, logs)");
            return new AirflowValues(null, null, null, null, null);
        }
        unknown(airflow, "airflow", AirflowValues.FIELDS, file, problems);
        JsonNode dags = section(airflow, "dags", file, problems);
        JsonNode logs = section(airflow, "logs", file, problems);
        unknown(dags, "airflow.dags", AirflowValues.DAGS_FIELDS, file, problems);
        unknown(logs, "airflow.logs", AirflowValues.LOGS_FIELDS, file, problems);
        return new AirflowValues(string(dags, "airflow.dags", "repository", file, problems),
                string(dags, "airflow.dags", "branch", file, problems), string(dags, "airflow.dags", "path", file, problems),
                string(airflow, "airflow", "principal", file, problems), string(logs, "airflow.logs", "storage", file, problems));
    }

    private static JsonNode section(JsonNode parent, String field, Path file, List<String> problems) {
        JsonNode section = parent.path(field);
        if (!section.isMissingNode() && !section.isObject()) {
            problems.add(file + ": airflow." + field + ": must be a mapping");
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        return section;
    }

    private static void unknown(JsonNode node, String prefix, java.util.Set<String> fields, Path file,
            List<String> problems) {
        node.fieldNames().forEachRemaining(name -> {
            if (!fields.contains(name)) {
                problems.add(file + ": " + prefix + "." + name + ": unknown field (expected " + new java.util.TreeSet<>(fields) + ")");
            }
        });
    }

    /** A string field; a number, list or mapping there is named (its value then counts as missing). */
    private static String string(JsonNode node, String prefix, String field, Path file, List<String> problems) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            problems.add(file + ": " + prefix + "." + field + ": must be a string, not " + value.getNodeType()
                    .toString().toLowerCase(java.util.Locale.ROOT));
            return "";
        }
        return value.asText();
    }

    static List<String> checkAll(Path teams) {
        List<String> problems = new ArrayList<>();
        for (Path file : valuesFiles(teams)) {
            problems.addAll(check(file));
        }
        return problems;
    }

    /** Onboards a team: returns the report lines, or throws with every problem and writes nothing. */
    static List<String> onboard(Path teams, List<String> arguments) {
        return onboard(teams, arguments, GitRepositoryCheck.GIT);
    }

    /** As {@link #onboard(Path, List)}, reaching the DAG repository with {@code repositoryCheck}. */
    static List<String> onboard(Path teams, List<String> arguments, GitRepositoryCheck repositoryCheck) {
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> options = new LinkedHashMap<>();
        String team = null;
        boolean dryRun = false;
        boolean checkRepository = true;
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (argument.equals("--dry-run")) {
                dryRun = true;
            }
            else if (argument.equals("--no-repository-check")) {
                checkRepository = false;
            }
            else if (argument.startsWith("--")) {
                String name = argument.substring(2);
                if (!OPTIONS.contains(name)) {
                    problems.add(argument + ": unknown field (expected --" + String.join(", --", OPTIONS)
                            + ", --no-repository-check, --dry-run)");
                }
                if (i + 1 >= arguments.size()) {
                    problems.add(argument + ": needs a value");
                    break;
                }
                options.computeIfAbsent(name, key -> new ArrayList<>()).add(arguments.get(++i));
            }
            else if (team == null) {
                team = argument;
            }
            else {
                problems.add("'" + argument + "': one team at a time");
            }
        }
        for (String required : List.of("description", "owner", "cpu", "memory", "storage", "dag-repository")) {
            if (!options.containsKey(required)) {
                problems.add("--" + required + ": required");
            }
        }
        TeamValues values = new TeamValues(team, first(options, "description"), options.getOrDefault("owner", List.of()),
                integer(options, "cpu", problems), first(options, "memory"), first(options, "storage"),
                options.containsKey("pods") ? integer(options, "pods", problems) : 200,
                airflowOptions(options, team));
        List<String> invalid = values.validate();
        problems.addAll(invalid);
        if (checkRepository && invalid.stream().noneMatch(problem -> problem.startsWith("airflow.dags."))) {
            repositoryCheck.problem(values.airflow().repository(), values.airflow().branch()).ifPresent(problems::add);
        }
        if (team != null && Files.exists(teams.resolve(team))) {
            problems.add("team: '" + team + "' already exists (" + teams.resolve(team) + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        Path file = teams.resolve(team).resolve("values-" + team + ".yaml");
        Optional<Path> realm = DevelopmentRealm.of(teams).filter(realmFile -> !DevelopmentRealm.hasGroup(realmFile,
                values.team()));
        if (!dryRun) {
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, values.toYaml());
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
            realm.ifPresent(realmFile -> DevelopmentRealm.addGroup(realmFile, values.team()));
        }
        List<String> report = new ArrayList<>();
        report.add((dryRun ? "would write " : "wrote ") + file);
        String added = dryRun ? "would add " : "added ";
        realm.ifPresent(realmFile -> report.add(added + "group team-" + values.team() + " to " + realmFile
                + " (the development realm; in production the corporate IdP's team creates it)"));
        report.add("after commit and Argo CD Sync, the team ApplicationSets create:");
        // Read from the tree the teams directory belongs to (argocd/teams -> argocd), never written here.
        report.addAll(TeamApps.describe(teams.toAbsolutePath().getParent(), values));
        return report;
    }

    public static void main(String[] args) {
        if (args.length < 2 || !List.of("check", "onboard").contains(args[0])) {
            System.err.println("usage: Teams check <teams directory> | Teams onboard <teams directory> <team> "
                    + "--description TEXT --owner EMAIL --cpu CORES --memory 64Gi --storage 500Gi [--pods N] "
                    + "--dag-repository URL [--dag-branch main] [--dag-path dags] [--principal etl-<team>] "
                    + "[--log-storage 10Gi] [--no-repository-check] [--dry-run]");
            System.exit(2);
        }
        Path teams = Path.of(args[1]);
        if (args[0].equals("check")) {
            List<String> problems = checkAll(teams);
            problems.forEach(problem -> System.err.println("teams: " + problem));
            if (!problems.isEmpty()) {
                System.exit(1);
            }
            System.out.println("teams: " + valuesFiles(teams).size() + " team file(s) valid in " + teams);
            return;
        }
        try {
            onboard(teams, List.of(args).subList(2, args.length)).forEach(System.out::println);
        }
        catch (IllegalArgumentException e) {
            e.getMessage().lines().forEach(problem -> System.err.println("onboard-team: " + problem));
            System.err.println("onboard-team: nothing was written");
            System.exit(1);
        }
    }

    private static List<Path> valuesFiles(Path teams) {
        if (!Files.isDirectory(teams)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(teams, 2)) {
            return files.filter(Files::isRegularFile)
                    .filter(path -> path.getFileName().toString().matches("values-.*\\.ya?ml"))
                    .sorted()
                    .toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot list " + teams, e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() ? value.asText() : null;
    }

    private static AirflowValues airflowOptions(Map<String, List<String>> options, String team) {
        AirflowValues defaults = AirflowValues.defaults(first(options, "dag-repository"), team);
        return new AirflowValues(defaults.repository(),
                options.containsKey("dag-branch") ? first(options, "dag-branch") : defaults.branch(),
                options.containsKey("dag-path") ? first(options, "dag-path") : defaults.path(),
                options.containsKey("principal") ? first(options, "principal") : defaults.principal(),
                options.containsKey("log-storage") ? first(options, "log-storage") : defaults.logStorage());
    }

    private static String first(Map<String, List<String>> options, String name) {
        List<String> values = options.get(name);
        return values == null ? null : values.get(values.size() - 1);
    }

    private static int integer(Map<String, List<String>> options, String name, List<String> problems) {
        String value = first(options, name);
        if (value == null) {
            return 0;
        }
        try {
            return Integer.parseInt(value);
        }
        catch (NumberFormatException e) {
            problems.add("--" + name + ": '" + value + "' is not a whole number");
            return 1; // reported; a placeholder that passes the range check, so the problem is named once

        }
    }
}
