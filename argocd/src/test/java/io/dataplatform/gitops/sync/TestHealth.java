package io.dataplatform.gitops.sync;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestHealth {
    @Test
    void aDeploymentIsHealthyWhenItsControllerSawTheSpecAndEveryReplicaIsUpdatedAndAvailable() {
        assertThat(Health.of(object("Deployment", 2, Map.of("replicas", 1),
                Map.of("observedGeneration", 1, "replicas", 1, "updatedReplicas", 1, "availableReplicas", 1))).healthy())
                .as("generation 2 not yet observed").isFalse();
        assertThat(Health.of(object("Deployment", 2, Map.of("replicas", 2),
                Map.of("observedGeneration", 2, "replicas", 3, "updatedReplicas", 2, "availableReplicas", 2))))
                .as("an old replica still running").extracting(Health::healthy).isEqualTo(false);
        assertThat(Health.of(object("Deployment", 2, Map.of("replicas", 2),
                Map.of("observedGeneration", 2, "replicas", 2, "updatedReplicas", 2, "availableReplicas", 2))).healthy())
                .isTrue();
    }

    @Test
    void aStatefulSetIsHealthyWhenReadyOnItsUpdateRevision() {
        assertThat(Health.of(object("StatefulSet", 1, Map.of("replicas", 1), Map.of("observedGeneration", 1,
                "readyReplicas", 1, "currentRevision", "a", "updateRevision", "b"))).message())
                .isEqualTo("rolling out revision b");
        assertThat(Health.of(object("StatefulSet", 1, Map.of("replicas", 1), Map.of("observedGeneration", 1,
                "readyReplicas", 1, "currentRevision", "b", "updateRevision", "b"))).healthy()).isTrue();
    }

    @Test
    void claimsPodsAndDefinitionsByTheirStatus() {
        assertThat(Health.of(object("PersistentVolumeClaim", 0, Map.of(), Map.of("phase", "Pending"))).message())
                .isEqualTo("claim Pending");
        assertThat(Health.of(object("Pod", 0, Map.of(), Map.of("phase", "Running",
                "conditions", List.of(Map.of("type", "Ready", "status", "False"))))).healthy()).isFalse();
        assertThat(Health.of(object("CustomResourceDefinition", 0, Map.of(), Map.of(
                "conditions", List.of(Map.of("type", "Established", "status", "True"))))).healthy()).isTrue();
        assertThat(Health.of(object("ConfigMap", 0, Map.of(), Map.of())).healthy()).isTrue();
        assertThat(Health.of(null).message()).isEqualTo("missing");
    }

    private static GenericKubernetesResource object(String kind, long generation, Map<String, Object> spec,
            Map<String, Object> status) {
        GenericKubernetesResource object = new GenericKubernetesResource();
        object.setKind(kind);
        object.setApiVersion("v1");
        object.setMetadata(new ObjectMetaBuilder().withName("x").withGeneration(generation == 0 ? null : generation).build());
        object.setAdditionalProperty("spec", spec);
        object.setAdditionalProperty("status", status);
        return object;
    }
}
