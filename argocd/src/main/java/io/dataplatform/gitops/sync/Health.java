package io.dataplatform.gitops.sync;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * Argo CD's health of a live object, for the kinds the platform deploys (its built-in assessments: workloads are
 * healthy when their controller has observed the latest spec and every replica is updated and available/ready; a
 * claim when bound; a CRD when established). Other kinds are healthy once they exist.
 */
record Health(boolean healthy, String message) {
    static final Health HEALTHY = new Health(true, "");

    static Health of(GenericKubernetesResource live) {
        if (live == null) {
            return new Health(false, "missing");
        }
        return switch (live.getKind()) {
            case "Deployment" -> deployment(live);
            case "StatefulSet", "DaemonSet" -> replicated(live);
            case "PersistentVolumeClaim" -> "Bound".equals(live.get("status", "phase"))
                    ? HEALTHY : new Health(false, "claim " + live.get("status", "phase"));
            case "Pod" -> pod(live);
            case "CustomResourceDefinition" -> condition(live, "Established");
            case "Namespace" -> "Active".equals(live.get("status", "phase"))
                    ? HEALTHY : new Health(false, "namespace " + live.get("status", "phase"));
            default -> HEALTHY;
        };
    }

    private static Health deployment(GenericKubernetesResource live) {
        Health observed = observed(live);
        if (!observed.healthy()) {
            return observed;
        }
        long wanted = number(live.get("spec", "replicas"), 1);
        long updated = number(live.get("status", "updatedReplicas"), 0);
        long available = number(live.get("status", "availableReplicas"), 0);
        long total = number(live.get("status", "replicas"), 0);
        if (updated < wanted || total > updated || available < updated) {
            return new Health(false, "%d of %d replicas updated, %d available".formatted(updated, wanted, available));
        }
        return HEALTHY;
    }

    private static Health replicated(GenericKubernetesResource live) {
        Health observed = observed(live);
        if (!observed.healthy()) {
            return observed;
        }
        if (live.getKind().equals("DaemonSet")) {
            long scheduled = number(live.get("status", "desiredNumberScheduled"), 0);
            long ready = number(live.get("status", "numberReady"), 0);
            return ready >= scheduled ? HEALTHY : new Health(false, "%d of %d ready".formatted(ready, scheduled));
        }
        long wanted = number(live.get("spec", "replicas"), 1);
        long ready = number(live.get("status", "readyReplicas"), 0);
        Object current = live.get("status", "currentRevision");
        Object update = live.get("status", "updateRevision");
        if (ready < wanted) {
            return new Health(false, "%d of %d replicas ready".formatted(ready, wanted));
        }
        if (update != null && !Objects.equals(current, update)) {
            return new Health(false, "rolling out revision " + update);
        }
        return HEALTHY;
    }

    private static Health observed(GenericKubernetesResource live) {
        long generation = live.getMetadata().getGeneration() == null ? 0 : live.getMetadata().getGeneration();
        long observed = number(live.get("status", "observedGeneration"), 0);
        return observed >= generation ? HEALTHY : new Health(false, "waiting for the controller to observe generation " + generation);
    }

    private static Health pod(GenericKubernetesResource live) {
        Object phase = live.get("status", "phase");
        if ("Succeeded".equals(phase)) {
            return HEALTHY;
        }
        if ("Running".equals(phase)) {
            return condition(live, "Ready");
        }
        return new Health(false, "pod " + phase);
    }

    private static Health condition(GenericKubernetesResource live, String type) {
        List<Map<String, Object>> conditions = live.get("status", "conditions");
        if (conditions != null) {
            for (Map<String, Object> condition : conditions) {
                if (type.equals(condition.get("type")) && "True".equals(condition.get("status"))) {
                    return HEALTHY;
                }
            }
        }
        return new Health(false, "not " + type);
    }

    private static long number(Object value, long absent) {
        return value instanceof Number number ? number.longValue() : absent;
    }
}
