package io.dataplatform.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.dataplatform.it.RepositoryCopy.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upgrade is one version change: on a copy of this repository, bump one property in pom.xml and rebuild. The
 * build refuses the stale pins; ci/pins' tool re-pins; the build passes; and the rendered Argo CD tree differs from
 * the original in exactly the image references those pins name.
 */
class UpgradeIT {
    private static final Pattern PREVIOUS = Pattern.compile("\\s*previous: \\[.*\\]\\s*");
    private static final Pattern REVISION = Pattern.compile("<platform\\.revision>(\\d+)</platform\\.revision>");

    @TempDir
    Path temporary;

    @Test
    void oneVersionChangeChangesExactlyTheImagePinsOfTheTree() throws Exception {
        Path repository = RepositoryCopy.repository();
        Path copy = RepositoryCopy.of(repository, temporary.resolve("platform"));

        // The one change: the platform revision (republish every image without an upstream change).
        Path pom = copy.resolve("pom.xml");
        String text = Files.readString(pom);
        Matcher revision = REVISION.matcher(text);
        assertThat(revision.find()).isTrue();
        int before = Integer.parseInt(revision.group(1));
        int after = before + 1;
        Files.writeString(pom, revision.replaceFirst("<platform.revision>" + after + "</platform.revision>"));

        RepositoryCopy.Run stale = RepositoryCopy.maven(copy, "package", "-Dimage.skip", "-DskipTests", "-pl", "argocd", "-am");
        assertThat(stale.status()).as(stale.output()).isNotZero();
        assertThat(stale.output()).contains("platform/trino is pinned to 476-%d but the reactor builds 476-%d: run ci/pins write"
                .formatted(before, after));

        RepositoryCopy.Run pins = run(copy, RepositoryCopy.java(), "-cp", "argocd/target/classes", "io.dataplatform.gitops.ImagePins", "write",
                "argocd", "images");
        assertThat(pins.status()).as(pins.output()).isZero();
        assertThat(pins.output()).contains(
                "pinned apps/trino/base/kustomization.yaml: platform/trino 476-%d -> 476-%d".formatted(before, after),
                "pinned apps/postgresql/base/kustomization.yaml: platform/postgres 17.12-%d -> 17.12-%d"
                        .formatted(before, after),
                "pinned apps/team/base/kustomization.yaml: platform/spark 4.1.1-%d -> 4.1.1-%d".formatted(before, after));

        RepositoryCopy.Run rebuilt = RepositoryCopy.maven(copy, "package", "-Dimage.skip", "-DskipTests", "-pl", "argocd", "-am");
        assertThat(rebuilt.status()).as(rebuilt.output()).isZero();

        // Not only names: the PostgreSQL image is really built at the bumped revision (with its base), and the tree
        // pins exactly the reference the build wrote. (Trino and Spark are left to the outer build: their layers
        // alone are 800 MB to copy again.)
        RepositoryCopy.Run images = RepositoryCopy.maven(copy, "package", "-DskipTests",
                "-pl", "images/image-maven-plugin,images/base-os,images/postgres");
        assertThat(images.status()).as(images.output()).isZero();
        JsonNode built = new ObjectMapper().readTree(copy.resolve("images/postgres/target/image.json").toFile());
        assertThat(built.path("image").asText()).endsWith("platform/postgres:17.12-" + after);
        assertThat(built.path("imageId").asText())
                .isNotEqualTo(new ObjectMapper().readTree(repository.resolve("images/postgres/target/image.json").toFile())
                        .path("imageId").asText());
        assertThat(Files.readString(copy.resolve("argocd/apps/postgresql/base/kustomization.yaml")))
                .contains("newTag: " + built.path("tags").get(0).asText());

        // The sources changed in the pinned tags only; the rendered tree only in the images those lines pin.
        // (The versions as the root pom names them: it is their only place.)
        assertThat(changedLines(repository.resolve("argocd"), copy.resolve("argocd"), false)).containsExactly(
                pinChange("airflow", version(text, "airflow"), before, after),
                pinChange("airflow", version(text, "airflow") + "-spark" + version(text, "spark"), before, after),
                environmentChange("notebook", version(text, "notebook"), before, after),
                environmentChange("notebook-geo", version(text, "notebook-geo"), before, after),
                environmentChange("notebook-ml", version(text, "notebook-ml"), before, after),
                pinChange("jupyterhub", version(text, "jupyterhub"), before, after),
                pinChange("keycloak", version(text, "keycloak"), before, after),
                pinChange("opa", version(text, "opa"), before, after),
                pinChange("postgresql", version(text, "postgresql"), before, after),
                pinChange("team", version(text, "spark"), before, after),
                pinChange("trino", version(text, "trino"), before, after));
        Path validator = copy.resolve("argocd/target/validate");
        assertThat(run(copy, validator.toString(), "-render", temporary.resolve("rendered-before").toString(),
                repository.resolve("argocd").toString()).status()).isZero();
        assertThat(run(copy, validator.toString(), "-render", temporary.resolve("rendered-after").toString(),
                copy.resolve("argocd").toString()).status()).isZero();
        List<String> rendered = changedLines(temporary.resolve("rendered-before"), temporary.resolve("rendered-after"), true);
        Pattern pin = Pattern.compile(
                ".*: ((?:- )?image|SPARK_EXECUTOR_IMAGE|value): platform/(trino|postgres|spark|opa|keycloak|airflow|airflow-spark|jupyterhub|notebook|notebook-geo|notebook-ml):([0-9A-Za-z.-]+)-%d -> \\1: platform/\\2:\\3-%d"
                        .formatted(before, after));
        // The hub's environments are a file in a generated ConfigMap: its name's hash follows its content (so the
        // hub restarts with the new list).
        Pattern environments = Pattern.compile(".*: (name|- name): jupyterhub-environments-[a-z0-9]+ -> \\1: jupyterhub-environments-[a-z0-9]+");
        assertThat(rendered).allSatisfy(line -> assertThat(line).satisfiesAnyOf(
                changed -> assertThat(changed).matches(pin), changed -> assertThat(changed).matches(environments)));
        assertThat(rendered.stream().filter(line -> line.contains("platform/notebook"))).hasSize(9);
        // The hub keeps offering each environment's old tag (the pin tool lists it under previous): in the sources
        // once per environment, in the rendered tree once per render of the environments ConfigMap.
        for (String image : List.of("notebook", "notebook-geo", "notebook-ml")) {
            String kept = "previous: [\"%s-%d\"".formatted(version(text, image), before);
            assertThat(Files.readString(copy.resolve("argocd/apps/jupyterhub/base/environments.yaml"))).contains(kept);
        }
        assertThat(keptPrevious(temporary.resolve("rendered-after"))).hasSize(9)
                .allSatisfy(line -> assertThat(line).matches("previous: \\[\"[0-9.]+-%d\".*".formatted(before)));
        // Trino: two Deployments (coordinator, workers) in base, dev and prod; PostgreSQL: its StatefulSet in each.
        assertThat(rendered.stream().filter(line -> line.contains("platform/trino:"))).hasSize(6);
        assertThat(rendered.stream().filter(line -> line.contains("platform/postgres:"))).hasSize(3);
        assertThat(rendered.stream().filter(line -> line.contains("platform/opa:"))).hasSize(3);
        // Keycloak: dev only (its base and dev overlay).
        assertThat(rendered.stream().filter(line -> line.contains("platform/keycloak:"))).hasSize(2);
        // Spark: a team's executor pod template and the drivers' spark-defaults that copies its pin, in base, dev
        // and prod; the same in the notebooks' namespace (its base, dev and prod, and the hub's dev and prod overlays
        // that include it).
        assertThat(rendered.stream().filter(line -> line.contains("platform/spark:"))).hasSize(16);
        // Airflow: four Deployments, each with its init container, in base, dev and prod; the Spark task image's
        // pin (its PodTemplate) and the scheduler's AIRFLOW_TASK_IMAGE that copies it.
        assertThat(rendered.stream().filter(line -> line.contains("platform/airflow:"))).hasSize(24);
        assertThat(rendered.stream().filter(line -> line.contains("platform/airflow-spark:"))).hasSize(6);
        // JupyterHub: its Deployment in base, dev and prod.
        assertThat(rendered.stream().filter(line -> line.contains("platform/jupyterhub:"))).hasSize(3);
    }

    /**
     * "file: old -> new" for every line that differs between two trees of the same files (line counts must match).
     * Rendered trees compare every file; source trees skip build output.
     */
    private static List<String> changedLines(Path before, Path after, boolean rendered) throws IOException {
        List<String> changes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(before)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                Path relative = before.relativize(file);
                if (!rendered && (relative.startsWith("target") || relative.startsWith("validator"))) {
                    continue;
                }
                // The environments' previous tags are compared on their own (keptPrevious): the pin tool adds them.
                List<String> old = Files.readAllLines(file).stream().filter(line -> !PREVIOUS.matcher(line).matches()).toList();
                List<String> current = Files.readAllLines(after.resolve(relative)).stream()
                        .filter(line -> !PREVIOUS.matcher(line).matches()).toList();
                assertThat(current).as(relative.toString()).hasSameSizeAs(old);
                for (int i = 0; i < old.size(); i++) {
                    if (!old.get(i).equals(current.get(i))) {
                        changes.add(relative + ": " + old.get(i).strip() + " -> " + current.get(i).strip());
                    }
                }
            }
        }
        return changes;
    }

    /** The hub environments' previous lines of every file under {@code tree}. */
    private static List<String> keptPrevious(Path tree) throws IOException {
        List<String> kept = new ArrayList<>();
        try (Stream<Path> files = Files.walk(tree)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                Files.readAllLines(file).stream().filter(line -> PREVIOUS.matcher(line).matches())
                        .forEach(line -> kept.add(line.strip()));
            }
        }
        return kept;
    }

    private static String environmentChange(String image, String version, int before, int after) {
        return "apps/jupyterhub/base/environments.yaml: image: platform/%s:%s-%d -> image: platform/%s:%s-%d".formatted(
                image, version, before, image, version, after);
    }

    private static String pinChange(String app, String version, int before, int after) {
        return "apps/%s/base/kustomization.yaml: newTag: %s-%d -> newTag: %s-%d".formatted(app, version, before, version,
                after);
    }

    /** A version property of the root pom ({@code <name>.version}). */
    private static String version(String pom, String name) {
        Matcher matcher = Pattern.compile("<" + Pattern.quote(name) + "\\.version>([^<]+)</").matcher(pom);
        assertThat(matcher.find()).as("%s.version in the root pom", name).isTrue();
        return matcher.group(1);
    }
}
