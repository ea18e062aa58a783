package io.dataplatform.gitops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * What Argo CD creates for one team, read from the tree itself: the team ApplicationSets
 * ({@code environments/base/teams.yaml}: application names, projects, namespaces, charts) and the objects of the
 * kustomization each one syncs (followed through resources, bases and components). The onboarding report is this
 * description, so it cannot drift from what Sync does.
 */
final class TeamApps {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String TEAM = "{{.team}}";

    private TeamApps() {}

    /** One line per Application and, indented, per object it creates. */
    static List<String> describe(Path argocd, TeamValues values) {
        Path applicationSets = argocd.resolve("environments/base/teams.yaml");
        List<String> lines = new ArrayList<>();
        for (JsonNode applicationSet : documents(applicationSets)) {
            if (!"ApplicationSet".equals(applicationSet.path("kind").asText())) {
                continue;
            }
            JsonNode template = applicationSet.path("spec").path("template");
            String templatePatch = applicationSet.path("spec").path("templatePatch").asText("");
            JsonNode spec = template.path("spec");
            String name = team(template.path("metadata").path("name").asText(), values);
            String project = team(spec.path("project").asText(), values);
            String namespace = team(spec.path("destination").path("namespace").asText(), values);
            List<JsonNode> sources = new ArrayList<>();
            if (spec.has("source")) {
                sources.add(spec.path("source"));
            }
            spec.path("sources").forEach(sources::add);
            List<String> charts = new ArrayList<>();
            for (JsonNode source : sources) {
                if (source.has("chart")) {
                    charts.add("chart %s %s from %s".formatted(source.path("chart").asText(),
                            source.path("targetRevision").asText(), source.path("repoURL").asText()));
                }
            }
            String what = charts.isEmpty() ? ":" : ": " + String.join(", ", charts);
            lines.add("  Application %s (project %s, namespace %s)%s".formatted(name, project, namespace, what));
            if (spec.path("syncPolicy").path("syncOptions").toString().contains("CreateNamespace=true")) {
                lines.add("    Namespace " + namespace);
            }
            for (JsonNode source : sources) {
                if (source.has("path") && !source.has("chart")) {
                    // Paths in the tree are from the repository root, whose argocd/ is this directory.
                    Path kustomization = argocd.resolve(source.path("path").asText().replaceFirst("^argocd/", ""));
                    for (String object : objects(kustomization)) {
                        lines.add("    " + personalised(object, templatePatch, values));
                    }
                }
            }
        }
        if (lines.isEmpty()) {
            throw new IllegalStateException(applicationSets + " defines no ApplicationSet");
        }
        return lines;
    }

    /** What the ApplicationSet's templatePatch makes of an object for this team (its quota, its project's name). */
    private static String personalised(String object, String templatePatch, TeamValues values) {
        String[] kindAndName = object.split(" ", 2);
        boolean patched = templatePatch.contains("kind: " + kindAndName[0]) && templatePatch.contains("name: " + kindAndName[1]);
        if (!patched) {
            return object;
        }
        return switch (kindAndName[0]) {
            case "ResourceQuota" -> "%s: cpu %d, memory %s, storage %s, pods %d".formatted(object, values.cpu(),
                    values.memory(), values.storage(), values.pods());
            case "AppProject" -> "AppProject %s (destination team-%s only)".formatted(values.team(), values.team());
            case "ConfigMap" -> values.airflow() == null ? object : "%s: DAGs from %s (branch %s, %s/), tasks as %s"
                    .formatted(object, values.airflow().repository(), values.airflow().branch(),
                            values.airflow().path(), values.airflow().principal());
            case "PersistentVolumeClaim" -> values.airflow() == null ? object
                    : "%s: %s".formatted(object, values.airflow().logStorage());
            default -> object;
        };
    }

    /** "Kind name" of every object a kustomization renders, sorted, following bases and components. */
    static TreeSet<String> objects(Path directory) {
        TreeSet<String> objects = new TreeSet<>();
        JsonNode kustomization = documents(directory.resolve("kustomization.yaml")).getFirst();
        List<JsonNode> entries = new ArrayList<>();
        kustomization.path("resources").forEach(entries::add);
        kustomization.path("components").forEach(entries::add);
        for (JsonNode entry : entries) {
            Path path = directory.resolve(entry.asText()).normalize();
            if (Files.isDirectory(path)) {
                objects.addAll(objects(path));
            }
            else {
                for (JsonNode document : documents(path)) {
                    objects.add(document.path("kind").asText() + " " + document.path("metadata").path("name").asText());
                }
            }
        }
        for (String generator : List.of("configMapGenerator", "secretGenerator")) {
            String kind = generator.equals("configMapGenerator") ? "ConfigMap" : "Secret";
            kustomization.path(generator).forEach(generated -> objects.add(kind + " " + generated.path("name").asText()));
        }
        return objects;
    }

    private static String team(String template, TeamValues values) {
        return template.replace(TEAM, values.team());
    }

    private static List<JsonNode> documents(Path file) {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> iterator = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (iterator.hasNext()) {
                JsonNode document = iterator.next();
                if (document != null && !document.isMissingNode() && !document.isNull()) {
                    documents.add(document);
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return documents;
    }
}
