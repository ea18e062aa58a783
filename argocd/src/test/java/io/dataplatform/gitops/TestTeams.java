package io.dataplatform.gitops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestTeams {
    private static final List<String> GOOD = List.of("network-planning", "--description", "Radio network planning",
            "--owner", "alice@operator.example", "--cpu", "20", "--memory", "64Gi", "--storage", "500Gi");

    @TempDir
    Path teams;

    @Test
    void onboardingWritesOneValuesFileAndSaysWhatSyncWillCreate() throws Exception {
        List<String> report = Teams.onboard(teams, GOOD);

        Path file = teams.resolve("network-planning/values-network-planning.yaml");
        assertThat(report).first().isEqualTo("wrote " + file);
        assertThat(report).contains(
                "  Application network-planning-foundation (project platform, namespace team-network-planning):",
                "    ResourceQuota team-quota: cpu 20, memory 64Gi, storage 500Gi, pods 200",
                "  Application network-planning-airflow (project network-planning, namespace team-network-planning): "
                        + "Airflow chart 1.18.0");
        assertThat(Files.readString(file)).contains("""
                team: network-planning
                description: "Radio network planning"
                owners:
                  - alice@operator.example
                quota:
                  cpu: 20
                  memory: 64Gi
                  storage: 500Gi
                  pods: 200
                """);
        try (var files = Files.walk(teams)) {
            assertThat(files.filter(Files::isRegularFile)).containsExactly(file);
        }
        assertThat(Teams.checkAll(teams)).isEmpty();
    }

    @Test
    void badInputNamesTheFieldAndWritesNothing() throws Exception {
        assertProblem(replace(GOOD, 0, "Network_Planning"), "team: 'Network_Planning' is not a valid team name");
        assertProblem(replace(GOOD, 0, "argocd"), "team: 'argocd' is reserved");
        assertProblem(replace(GOOD, 6, "1000"), "quota.cpu: 1000 is out of range (1 to 256 cores)");
        assertProblem(replace(GOOD, 6, "lots"), "--cpu: 'lots' is not a whole number");
        assertProblem(replace(GOOD, 8, "64GB"), "quota.memory: '64GB' is not a quantity like 64Gi");
        assertProblem(replace(GOOD, 10, "200Ti"), "quota.storage: 200Ti is out of range (1Gi to 102400Gi)");
        assertProblem(replace(GOOD, 4, "alice"), "owners: 'alice' is not an e-mail address");
        List<String> unknown = new ArrayList<>(GOOD);
        unknown.addAll(List.of("--gpu", "2"));
        assertProblem(unknown, "--gpu: unknown field");
        assertProblem(GOOD.subList(0, 5), "--cpu: required");
        try (var files = Files.list(teams)) {
            assertThat(files).isEmpty();
        }

        Teams.onboard(teams, GOOD);
        String written = Files.readString(teams.resolve("network-planning/values-network-planning.yaml"));
        assertProblem(replace(GOOD, 2, "Someone else"), "team: 'network-planning' already exists");
        assertThat(teams.resolve("network-planning/values-network-planning.yaml")).hasContent(written.strip());
    }

    @Test
    void aDryRunWritesNothing() {
        List<String> dryRun = new ArrayList<>(GOOD);
        dryRun.add("--dry-run");
        assertThat(Teams.onboard(teams, dryRun)).first().asString().startsWith("would write ");
        assertThat(teams.resolve("network-planning")).doesNotExist();
    }

    @Test
    void malformedTeamFilesAreNamedByFileAndField() throws Exception {
        Path directory = Files.createDirectories(teams.resolve("radio"));
        Path file = directory.resolve("values-radio.yaml");
        Files.writeString(file, """
                team: radio
                description: Radio
                owners: [bob@operator.example]
                quota: {cpu: twenty, memory: 8Gi, storage: 10Gi, pods: 10, gpus: 1}
                budget: 100
                """);
        assertThat(Teams.checkAll(teams)).containsExactlyInAnyOrder(
                file + ": budget: unknown field (expected " + TeamValues.FIELDS + ")",
                file + ": quota.gpus: unknown field (expected " + TeamValues.QUOTA_FIELDS + ")",
                file + ": quota.cpu: must be a whole number",
                file + ": quota.cpu: 0 is out of range (1 to 256 cores)");

        Files.writeString(file, "team: [radio\n");
        assertThat(Teams.checkAll(teams)).singleElement().asString().startsWith(file + ": not valid YAML:");

        Files.writeString(file, "team: tv\ndescription: TV\nowners: [a@b.example]\n"
                + "quota: {cpu: 1, memory: 1Gi, storage: 1Gi, pods: 1}\n");
        assertThat(Teams.checkAll(teams)).containsExactly(
                file + ": team: 'tv' must match its directory and file name (teams/<team>/values-<team>.yaml)");
    }

    @Test
    void theSchemaForEditorsSaysWhatTheCheckEnforces() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(Path.of("teams/schema.json").toFile());
        List<String> fields = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrderElementsOf(TeamValues.FIELDS);
        List<String> quota = new ArrayList<>();
        schema.path("properties").path("quota").path("properties").fieldNames().forEachRemaining(quota::add);
        assertThat(quota).containsExactlyInAnyOrderElementsOf(TeamValues.QUOTA_FIELDS);
        assertThat(schema.path("properties").path("team").path("pattern").asText())
                .isEqualTo("^" + TeamValues.NAME.pattern() + "$");
        List<String> reserved = new ArrayList<>();
        schema.path("properties").path("team").path("not").path("enum").forEach(name -> reserved.add(name.asText()));
        assertThat(reserved).containsExactlyInAnyOrderElementsOf(TeamValues.RESERVED);
        JsonNode quotaSchema = schema.path("properties").path("quota").path("properties");
        assertThat(quotaSchema.path("cpu").path("maximum").asInt()).isEqualTo(TeamValues.MAX_CPU);
        assertThat(quotaSchema.path("pods").path("maximum").asInt()).isEqualTo(TeamValues.MAX_PODS);
        assertThat(schema.path("properties").path("description").path("maxLength").asInt())
                .isEqualTo(TeamValues.MAX_DESCRIPTION);
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
    }

    private void assertProblem(List<String> arguments, String problem) {
        assertThatThrownBy(() -> Teams.onboard(teams, arguments))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem);
    }

    private static List<String> replace(List<String> arguments, int index, String value) {
        List<String> copy = new ArrayList<>(arguments);
        copy.set(index, value);
        return copy;
    }
}
