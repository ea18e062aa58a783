package io.dataplatform.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import io.dataplatform.gitops.ImagePins;
import io.dataplatform.gitops.PublishedImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

import static io.dataplatform.it.RepositoryCopy.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Publishing for real: a throwaway registry (Debian's docker-registry) on 127.0.0.1, the build of a copy of this
 * repository publishing its images there with Jib, the image pulled back by digest, and the Argo CD pin written from
 * jib-image.json naming exactly that digest.
 */
class PublishIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temporary;

    @Test
    void publishedImagesComeBackByTheDigestThePinsName() throws Exception {
        int port = freePort();
        String registry = "127.0.0.1:" + port;
        Process registryProcess = startRegistry(port);
        try {
            Path copy = RepositoryCopy.of(RepositoryCopy.repository(), temporary.resolve("platform"));
            RepositoryCopy.Run publish = RepositoryCopy.maven(copy, "package", "-DskipTests", "-Dimage.publish=true", "-Dplatform.registry=" + registry,
                    "-Dimage.allowInsecureRegistries=true", "-pl", "images/image-maven-plugin,images/base-os,images/kdc");
            assertThat(publish.status()).as(publish.output()).isZero();
            assertThat(publish.output()).contains("Published " + registry + "/platform/kdc:");

            JsonNode jib = JSON.readTree(copy.resolve("images/kdc/target/jib-image.json").toFile());
            String image = jib.path("image").asText();
            String repository = image.substring(0, image.lastIndexOf(':'));
            String digest = jib.path("imageDigest").asText();
            assertThat(jib.path("imagePushed").asBoolean()).isTrue();
            assertThat(digest).matches("sha256:[0-9a-f]{64}");

            // The registry serves that manifest under the tag, and Docker pulls it back by digest, as built.
            assertThat(manifestDigest(registry, image)).hasValue(digest);
            DockerClient docker = DockerClientFactory.instance().client();
            docker.pullImageCmd(repository).withTag(digest).exec(new PullImageResultCallback())
                    .awaitCompletion(2, TimeUnit.MINUTES);
            var pulled = docker.inspectImageCmd(repository + "@" + digest).exec();
            assertThat(pulled.getRepoDigests()).contains(repository + "@" + digest);
            assertThat(pulled.getConfig().getEntrypoint()).containsExactly("/usr/local/bin/kdc-entrypoint");
            assertThat(pulled.getConfig().getUser()).isEqualTo("1000:1000");
            assertThat(pulled.getConfig().getLabels()).containsEntry("org.opencontainers.image.title",
                    "Platform Kerberos KDC (MIT 1.21.3, development)");

            // A pin on that image (a fixture app in the copy's tree) becomes tag@digest, and the tree stays valid.
            Path fixture = Files.createDirectories(copy.resolve("argocd/apps/kdc-fixture/base"));
            Files.writeString(fixture.resolve("kustomization.yaml"), """
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    resources:
                      - kdc.yaml
                    images:
                      - name: platform/kdc
                        newTag: %s
                    """.formatted(image.substring(image.lastIndexOf(':') + 1)));
            Files.writeString(fixture.resolve("kdc.yaml"), """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: kdc
                    spec:
                      selector:
                        matchLabels: {app: kdc}
                      template:
                        metadata:
                          labels: {app: kdc}
                        spec:
                          containers:
                            - name: kdc
                              image: platform/kdc
                    """);
            List<String> changes = ImagePins.bump(copy.resolve("argocd"), PublishedImage.readAll(copy.resolve("images")),
                    false);
            assertThat(changes).containsExactly("apps/kdc-fixture/base/kustomization.yaml: platform/kdc -> %s@%s"
                    .formatted(image, digest));
            Path validator = RepositoryCopy.repository().resolve("argocd/target/validate");
            RepositoryCopy.Run validate = run(copy, validator.toString(), "-render", temporary.resolve("rendered").toString(),
                    copy.resolve("argocd").toString());
            assertThat(validate.status()).as(validate.output()).isZero();
            assertThat(Files.readString(temporary.resolve("rendered/apps_kdc-fixture_base.yaml")))
                    .contains("image: " + image + "@" + digest);

            // A published tag never moves: a changed input of the KDC image (its entrypoint) under the same tag is
            // refused, naming the tag; the unchanged base image publishes again as the same digest; the registry
            // still serves the first digest under the tag.
            Path entrypoint = copy.resolve("images/kdc/src/main/rootfs/usr/local/bin/kdc-entrypoint");
            Files.writeString(entrypoint, Files.readString(entrypoint) + "# a changed input\n");
            RepositoryCopy.Run moved = RepositoryCopy.maven(copy, "package", "-DskipTests", "-Dimage.publish=true",
                    "-Dplatform.registry=" + registry, "-Dimage.allowInsecureRegistries=true",
                    "-pl", "images/image-maven-plugin,images/base-os,images/kdc");
            assertThat(moved.status()).as(moved.output()).isNotZero();
            assertThat(moved.output())
                    .contains("(already there, unchanged)")
                    .contains("%s is already published as %s, and this build made sha256:".formatted(image, digest))
                    .contains("a published tag never moves. Bump platform.revision in the root pom.xml");
            assertThat(manifestDigest(registry, image)).hasValue(digest);
        }
        finally {
            registryProcess.destroy();
            registryProcess.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The digest the registry serves under the image's tag (Docker-Content-Digest of a manifest HEAD). */
    private static java.util.Optional<String> manifestDigest(String registry, String image) throws IOException,
            InterruptedException {
        String path = image.substring(registry.length() + 1, image.lastIndexOf(':'));
        HttpResponse<Void> manifest = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://%s/v2/%s/manifests/%s".formatted(registry, path, image.substring(image.lastIndexOf(':') + 1))))
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
                .header("Accept", "application/vnd.oci.image.manifest.v1+json")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        return manifest.headers().firstValue("Docker-Content-Digest");
    }

    private Process startRegistry(int port) throws IOException, InterruptedException {
        Path config = temporary.resolve("registry.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(temporary.resolve("registry-data"), port));
        Process process = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(temporary.resolve("registry.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return process;
                }
            }
            catch (IOException notYet) {
                // Not listening yet.
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited: " + Files.readString(temporary.resolve("registry.log")));
            }
            Thread.sleep(100);
        }
        process.destroy();
        throw new IllegalStateException("docker-registry did not answer on port " + port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
