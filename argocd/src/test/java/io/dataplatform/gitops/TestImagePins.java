package io.dataplatform.gitops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestImagePins {
    private static final ReactorImages REACTOR = new ReactorImages(Map.of(
            "platform/trino", "476-2",
            "platform/hadoop", "3.4.3-2"));
    private static final String KUSTOMIZATION = """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - coordinator.yaml
            # The image the reactor builds.
            images:
              - name: platform/trino
                newName: registry.example:5000/platform/trino
                newTag: 476-1
                digest: sha256:%s
              - name: platform/hadoop
                newTag: 3.4.3-2
            """.formatted("a".repeat(64));

    @TempDir
    Path argocd;
    private Path kustomization;

    @BeforeEach
    void tree() throws Exception {
        kustomization = Files.createDirectories(argocd.resolve("apps/trino/base")).resolve("kustomization.yaml");
        Files.writeString(kustomization, KUSTOMIZATION);
    }

    @Test
    void aPinThatDisagreesWithTheReactorIsNamedWithItsFileAndLine() {
        assertThat(ImagePins.check(argocd, REACTOR)).extracting(Object::toString).containsExactly(
                kustomization + ":7: platform/trino is pinned to 476-1 but the reactor builds 476-2: run ci/pins write");
    }

    @Test
    void writeRepinsTheTagDropsTheStaleDigestAndKeepsEverythingElse() throws Exception {
        assertThat(ImagePins.write(argocd, REACTOR, false))
                .containsExactly("apps/trino/base/kustomization.yaml: platform/trino 476-1 -> 476-2");

        assertThat(Files.readString(kustomization)).isEqualTo("""
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - coordinator.yaml
                # The image the reactor builds.
                images:
                  - name: platform/trino
                    newName: registry.example:5000/platform/trino
                    newTag: 476-2
                  - name: platform/hadoop
                    newTag: 3.4.3-2
                """);
        assertThat(ImagePins.check(argocd, REACTOR)).isEmpty();
        assertThat(ImagePins.write(argocd, REACTOR, false)).isEmpty();
    }

    @Test
    void aPublishPinsRegistryTagAndDigest() throws Exception {
        String digest = "sha256:" + "b".repeat(64);
        List<PublishedImage> published = List.of(
                new PublishedImage("127.0.0.1:5000/platform/hadoop", "3.4.3-2", digest),
                new PublishedImage("127.0.0.1:5000/platform/kdc", "1.21.3-2", digest));

        assertThat(ImagePins.bump(argocd, published, false)).containsExactly(
                "apps/trino/base/kustomization.yaml: platform/hadoop -> 127.0.0.1:5000/platform/hadoop:3.4.3-2@" + digest);
        assertThat(Files.readString(kustomization)).endsWith("""
                  - name: platform/hadoop
                    newName: 127.0.0.1:5000/platform/hadoop
                    newTag: 3.4.3-2
                    digest: %s
                """.formatted(digest));
        assertThat(ImagePins.bump(argocd, published, false)).isEmpty();

        Path jib = Files.createDirectories(argocd.resolve("images/hadoop/target")).resolve("jib-image.json");
        Files.writeString(jib, """
                {"image": "127.0.0.1:5000/platform/hadoop:3.4.3-2", "imageDigest": "%s", "imagePushed": true}
                """.formatted(digest));
        assertThat(PublishedImage.readAll(argocd.resolve("images"))).containsExactly(published.get(0));
    }

    @Test
    void aDryRunChangesNothing() throws Exception {
        assertThat(ImagePins.write(argocd, REACTOR, true)).hasSize(1);
        assertThat(Files.readString(kustomization)).isEqualTo(KUSTOMIZATION);
    }

    @Test
    void imagesTheReactorDoesNotBuildAndLiteralTagsAreReported() throws Exception {
        Path manifest = argocd.resolve("apps/trino/base/job.yaml");
        Files.writeString(manifest, """
                containers:
                  - image: platform/hadoop:3.4.2-1
                  - image: platform/spark:4.1.3-1
                """);
        Files.writeString(kustomization, KUSTOMIZATION.replace("platform/hadoop", "platform/airflow"));

        assertThat(ImagePins.check(argocd, REACTOR)).extracting(Object::toString).contains(
                kustomization + ":11: platform/airflow is not an image this reactor builds",
                manifest + ":2: platform/hadoop:3.4.2-1 is not what the reactor builds (3.4.3-2): pin it in the "
                        + "kustomization's images, or run ci/pins write",
                manifest + ":3: platform/spark is not an image this reactor builds");
    }

    @Test
    void aMissingTagIsAdded() throws Exception {
        Files.writeString(kustomization, """
                images:
                  - name: platform/hadoop
                resources: []
                """);
        assertThat(ImagePins.check(argocd, REACTOR)).extracting(Object::toString)
                .containsExactly(kustomization + ":2: platform/hadoop has no newTag: pin 3.4.3-2");
        ImagePins.write(argocd, REACTOR, false);
        assertThat(Files.readString(kustomization)).isEqualTo("""
                images:
                  - name: platform/hadoop
                    newTag: 3.4.3-2
                resources: []
                """);
    }

    @Test
    void theReactorIsReadFromTheImageReferences() throws Exception {
        Path images = argocd.resolve("images");
        Files.createDirectories(images.resolve("trino/target"));
        Files.writeString(images.resolve("trino/target/image.reference"), "registry.example:5000/platform/trino:476-3\n");
        Files.createDirectories(images.resolve("image-maven-plugin/target"));

        assertThat(ReactorImages.read(images).tags()).isEqualTo(Map.of("platform/trino", "476-3"));
    }

    @Test
    void theHubsEnvironmentsArePinnedLikeTheRestAndOfferEveryNotebookImage() throws Exception {
        ReactorImages reactor = new ReactorImages(Map.of("platform/notebook", "2026.11-2", "platform/notebook-ml",
                "2026.11-2", "platform/trino", "476-1", "platform/hadoop", "3.4.3-2"));
        Path environments = Files.createDirectories(argocd.resolve("apps/jupyterhub/base")).resolve("environments.yaml");
        Files.writeString(environments, """
                environments:
                  - slug: base
                    image: platform/notebook:2026.11-1
                    previous: ["2026.10-1"]
                """);
        assertThat(ImagePins.check(argocd, reactor)).extracting(Object::toString).containsExactly(
                environments + ":1: platform/notebook-ml is built by the reactor but not offered: add an environment "
                        + "with image: platform/notebook-ml:2026.11-2",
                environments + ":3: platform/notebook:2026.11-1 is not what the reactor builds (2026.11-2): pin it in "
                        + "the kustomization's images, or run ci/pins write");

        assertThat(ImagePins.writeLiterals(argocd, reactor, false)).containsExactly(
                "apps/jupyterhub/base/environments.yaml:3: platform/notebook:2026.11-1 -> platform/notebook:2026.11-2",
                "apps/jupyterhub/base/environments.yaml:4: keeps 2026.11-1 under previous");
        // The old tag stays offered (first among the previous ones), so users switch back when the new one breaks them.
        assertThat(Files.readString(environments)).isEqualTo("""
                environments:
                  - slug: base
                    image: platform/notebook:2026.11-2
                    previous: ["2026.11-1", "2026.10-1"]
                """);
    }

    @Test
    void anEnvironmentWithoutPreviousTagsGetsItsOldTagAsTheFirst() throws Exception {
        ReactorImages reactor = new ReactorImages(Map.of("platform/notebook", "2026.12-1", "platform/notebook-ml",
                "2026.12-1"));
        Path environments = Files.createDirectories(argocd.resolve("apps/jupyterhub/base")).resolve("environments.yaml");
        Files.writeString(environments, """
                environments:
                  - slug: base
                    display_name: Base
                    image: platform/notebook:2026.11-1
                  - image: platform/notebook-ml:2026.11-1
                    slug: ml
                    previous: []
                    groups: [analysts]
                """);
        assertThat(ImagePins.writeLiterals(argocd, reactor, false)).containsExactly(
                "apps/jupyterhub/base/environments.yaml:4: platform/notebook:2026.11-1 -> platform/notebook:2026.12-1",
                "apps/jupyterhub/base/environments.yaml:5: keeps 2026.11-1 under previous",
                "apps/jupyterhub/base/environments.yaml:6: platform/notebook-ml:2026.11-1 -> platform/notebook-ml:2026.12-1",
                "apps/jupyterhub/base/environments.yaml:8: keeps 2026.11-1 under previous");
        assertThat(Files.readString(environments)).isEqualTo("""
                environments:
                  - slug: base
                    display_name: Base
                    image: platform/notebook:2026.12-1
                    previous: ["2026.11-1"]
                  - image: platform/notebook-ml:2026.12-1
                    slug: ml
                    previous: ["2026.11-1"]
                    groups: [analysts]
                """);
        // Run again, nothing changes.
        assertThat(ImagePins.writeLiterals(argocd, reactor, false)).isEmpty();
    }

    @Test
    void aBlockListOfPreviousTagsIsReportedAndNotWrittenTo() throws Exception {
        ReactorImages reactor = new ReactorImages(Map.of("platform/notebook", "2026.12-1"));
        Path environments = Files.createDirectories(argocd.resolve("apps/jupyterhub/base")).resolve("environments.yaml");
        String blockList = """
                environments:
                  - slug: base
                    image: platform/notebook:2026.11-1
                    previous:
                      - "2026.10-1"
                """;
        Files.writeString(environments, blockList);
        assertThat(ImagePins.check(argocd, reactor)).extracting(Object::toString).contains(environments + ":4: previous: "
                + "is a list of tags on one line, e.g. previous: [\"2026.10-1\"] (ci/pins write adds an environment's old "
                + "tag to it)");
        assertThatThrownBy(() -> ImagePins.writeLiterals(argocd, reactor, false))
                .hasMessageEndingWith("environments.yaml:4: previous: is a list of tags on one line, e.g. previous: "
                        + "[\"2026.10-1\"] (ci/pins write adds an environment's old tag to it): nothing written");
        assertThat(Files.readString(environments)).isEqualTo(blockList);
    }

    @Test
    void aPublishPinsTheHubsEnvironmentsByDigestAndARetaggedOneKeepsItsOldDigestUnderPrevious() throws Exception {
        String published = "sha256:" + "c".repeat(64);
        String earlier = "sha256:" + "d".repeat(64);
        Path environments = Files.createDirectories(argocd.resolve("apps/jupyterhub/base")).resolve("environments.yaml");
        Files.writeString(environments, """
                environments:
                  - slug: base
                    image: platform/notebook:2026.12-1
                  - slug: ml
                    image: platform/notebook-ml:2026.11-1@%s
                  - slug: geo
                    image: platform/notebook-geo:2026.11-1
                """.formatted(earlier));
        List<PublishedImage> images = List.of(
                new PublishedImage("registry.example:5000/platform/notebook", "2026.12-1", published),
                new PublishedImage("registry.example:5000/platform/notebook-ml", "2026.12-1", published));

        assertThat(ImagePins.bump(argocd, images, false)).containsExactly(
                "apps/jupyterhub/base/environments.yaml:3: platform/notebook:2026.12-1 -> platform/notebook:2026.12-1@"
                        + published,
                "apps/jupyterhub/base/environments.yaml:5: platform/notebook-ml:2026.11-1@" + earlier
                        + " -> platform/notebook-ml:2026.12-1@" + published,
                "apps/jupyterhub/base/environments.yaml:6: keeps 2026.11-1@" + earlier + " under previous");
        assertThat(Files.readString(environments)).isEqualTo("""
                environments:
                  - slug: base
                    image: platform/notebook:2026.12-1@%s
                  - slug: ml
                    image: platform/notebook-ml:2026.12-1@%s
                    previous: ["2026.11-1@%s"]
                  - slug: geo
                    image: platform/notebook-geo:2026.11-1
                """.formatted(published, published, earlier));
        assertThat(ImagePins.bump(argocd, images, false)).isEmpty();

        // The next build's tag replaces a pinned literal whole: the digest was the old tag's.
        ReactorImages reactor = new ReactorImages(Map.of("platform/notebook", "2027.01-1", "platform/notebook-ml",
                "2026.12-1", "platform/notebook-geo", "2026.11-1"));
        assertThat(ImagePins.writeLiterals(argocd, reactor, false)).containsExactly(
                "apps/jupyterhub/base/environments.yaml:3: platform/notebook:2026.12-1@" + published
                        + " -> platform/notebook:2027.01-1",
                "apps/jupyterhub/base/environments.yaml:4: keeps 2026.12-1@" + published + " under previous");
        assertThat(ImagePins.check(argocd, reactor)).filteredOn(problem -> problem.file().equals(environments)).isEmpty();
    }
}
