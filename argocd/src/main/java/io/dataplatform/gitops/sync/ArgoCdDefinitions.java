package io.dataplatform.gitops.sync;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * Argo CD's own custom resource definitions (Application, ApplicationSet, AppProject), as the Argo CD release the
 * root pom pins ships them ({@code manifests/crds} of the {@code github.com/argoproj/argo-cd/v3} module, from the Go
 * module proxy, checked against the Go checksum database). The platform's tree holds AppProjects, so a cluster
 * needs them before the first team's foundation, as it would after installing Argo CD.
 *
 * <pre>
 * ArgoCdDefinitions fetch &lt;go executable&gt; &lt;argo cd version&gt; &lt;output directory&gt;   (the build: copies them)
 * </pre>
 */
public final class ArgoCdDefinitions {
    static final String MODULE = "github.com/argoproj/argo-cd/v3";
    static final List<String> FILES = List.of("application-crd.yaml", "applicationset-crd.yaml", "appproject-crd.yaml");
    private static final String RESOURCES = "/io/dataplatform/gitops/sync/argocd-crds/";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ArgoCdDefinitions() {}

    /** The definitions as an application of their own, synced before the tree's: namespace argocd, the CRDs. */
    public static Application application() {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        for (String file : FILES) {
            try (InputStream input = ArgoCdDefinitions.class.getResourceAsStream(RESOURCES + file)) {
                if (input == null) {
                    throw new IllegalStateException(RESOURCES + file + " is not on the class path: build the argocd module");
                }
                objects.add(YAML.readValue(input, GenericKubernetesResource.class));
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Application("argocd-definitions", "platform", Integer.MIN_VALUE, "argocd", true, Map.of(), false,
                MODULE + "/manifests/crds", null, objects);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !args[0].equals("fetch")) {
            System.err.println("usage: ArgoCdDefinitions fetch <go executable> <argo cd version> <output directory>");
            System.exit(2);
        }
        String version = args[2].startsWith("v") ? args[2] : "v" + args[2];
        Path target = Path.of(args[3]);
        Files.createDirectories(target);
        // Outside any Go module (the output directory), so only the checksum database vouches for the download.
        Process process = new ProcessBuilder(args[1], "mod", "download", "-json", MODULE + "@" + version)
                .directory(target.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            System.err.println("ArgoCdDefinitions: go mod download " + MODULE + "@" + version + " failed: " + output);
            System.exit(1);
        }
        JsonNode download = new ObjectMapper().readTree(output);
        Path crds = Path.of(download.path("Dir").asText()).resolve("manifests/crds");
        for (String file : FILES) {
            Files.copy(crds.resolve(file), target.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            target.resolve(file).toFile().setWritable(true);
        }
        System.out.printf("ArgoCdDefinitions: %s@%s (%s): %s%n", MODULE, version, download.path("Sum").asText(), FILES);
    }
}
