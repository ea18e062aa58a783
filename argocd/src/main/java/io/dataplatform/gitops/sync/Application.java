package io.dataplatform.gitops.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import static java.util.Objects.requireNonNull;

/**
 * One Argo CD Application as the tree's renderer resolved it ({@code validate -applications <environment>=<file>}):
 * its destination, sync wave and options, and the objects its source renders to. Skipped applications carry the
 * reason (a Helm chart that cannot be fetched here) and no objects.
 */
public record Application(String name, String project, int wave, String namespace, boolean createNamespace,
        Map<String, String> namespaceLabels, boolean prune, String path, String skipped,
        List<GenericKubernetesResource> objects) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    public Application {
        requireNonNull(name, "name is null");
        requireNonNull(namespace, "namespace is null");
        namespaceLabels = namespaceLabels == null ? Map.of() : Map.copyOf(namespaceLabels);
        objects = objects == null ? List.of() : List.copyOf(objects);
    }

    public boolean deployed() {
        return skipped == null || skipped.isEmpty();
    }

    /** The applications of a renderer's output file, in its (sync-wave) order. */
    public static List<Application> read(Path file) {
        try {
            return new ArrayList<>(JSON.readValue(file.toFile(), new TypeReference<List<Application>>() {}));
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read the rendered applications " + file, e);
        }
    }
}
