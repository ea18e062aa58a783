package io.dataplatform.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Pods that run once on the cluster: the image probe ({@link ImageProbe}) in this build's Java 25 image, or any pod. */
final class ProbePods {
    private ProbePods() {}

    record Finished(Pod pod, String log) {
        boolean succeeded() {
            return "Succeeded".equals(pod.getStatus().getPhase());
        }
    }

    /** Runs the image probe with checks as pod name in namespace (its classes in a ConfigMap there). */
    static Finished probe(KubernetesClient client, String namespace, String name, String... checks) {
        Map<String, String> classes = new LinkedHashMap<>();
        // ConfigMap keys allow no '$' (nested classes, ImageProbe$1.class): keyed without it, mounted by their name.
        List<io.fabric8.kubernetes.api.model.KeyToPath> items = new java.util.ArrayList<>();
        try (var files = Files.list(ImageProbe.classes())) {
            for (Path file : files.sorted().toList()) {
                String fileName = file.getFileName().toString();
                String key = fileName.replace("$", "-");
                classes.put(key, Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
                items.add(new io.fabric8.kubernetes.api.model.KeyToPath(key, null, fileName));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("probe").endMetadata().withBinaryData(classes).build()).serverSideApply();
        List<String> command = new java.util.ArrayList<>(List.of("java", "-cp", ImageProbe.CONTAINER_DIRECTORY, "ImageProbe"));
        command.addAll(List.of(checks));
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("probe").withImage(PlatformImage.of("jre-25").reference()).withImagePullPolicy("Never")
                .withCommand(command)
                // Pod Security "restricted" (the platform namespace's): the image's user, nothing more.
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(1000L).withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewVolumeMount().withName("probe").withMountPath(ImageProbe.CONTAINER_DIRECTORY).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("probe").withNewConfigMap().withName("probe").withItems(items).endConfigMap()
                .endVolume()
                .endSpec()
                .build();
        return run(client, pod);
    }

    /** Creates a pod that runs once, waits until it has succeeded or failed, reads its log, and deletes it. */
    static Finished run(KubernetesClient client, Pod pod) {
        client.pods().resource(pod).create();
        var created = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName());
        Pod finished = created.waitUntilCondition(current -> current != null && List.of("Succeeded", "Failed")
                .contains(current.getStatus().getPhase()), 3, TimeUnit.MINUTES);
        Finished result = new Finished(finished, created.getLog());
        created.delete();
        return result;
    }
}
