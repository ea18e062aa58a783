package io.dataplatform.gitops.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.WritableOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;

import static java.util.Objects.requireNonNull;

/**
 * Syncs rendered Applications to a cluster the way Argo CD's application controller does (gitops-engine):
 * applications in sync-wave order, each wave healthy before the next starts; within an application, objects by their
 * own sync wave, then kind (namespaces, policies and quotas first, workloads last), applied server-side as the
 * controller's field manager with conflicts forced; objects tracked as Argo CD 3 tracks them (annotation, plus the
 * instance label) and pruned when they leave the rendered tree. {@link #drift} compares without changing anything.
 */
public final class Sync {
    public static final String FIELD_MANAGER = "argocd-controller";
    public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
    public static final String TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id";
    private static final String OBJECT_WAVE = "argocd.argoproj.io/sync-wave";

    /** gitops-engine's kind order within a wave. */
    private static final List<String> KIND_ORDER = List.of("Namespace", "NetworkPolicy", "ResourceQuota",
            "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
            "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition",
            "ClusterRole", "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList",
            "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet",
            "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
            "APIService");

    private final KubernetesClient client;
    private final ResourceKinds kinds;
    private final Consumer<String> log;

    public Sync(KubernetesClient client, Consumer<String> log) {
        this.client = requireNonNull(client, "client is null");
        this.kinds = new ResourceKinds(client);
        this.log = requireNonNull(log, "log is null");
    }

    /** What one application's sync did to its objects (kind and name of each). */
    public record Result(String application, List<String> created, List<String> configured, List<String> unchanged,
            List<String> pruned) {
        public boolean changedNothing() {
            return created.isEmpty() && configured.isEmpty() && pruned.isEmpty();
        }

        @Override
        public String toString() {
            return "%s: %d created, %d configured%s, %d unchanged, %d pruned%s".formatted(application, created.size(),
                    configured.size(), configured.isEmpty() ? "" : " " + configured, unchanged.size(), pruned.size(),
                    pruned.isEmpty() ? "" : " " + pruned);
        }
    }

    /**
     * Syncs every deployed application, wave by wave, and waits for each wave to become healthy within timeout.
     * Throws {@link SyncException} naming the application and object that failed or stayed unhealthy.
     */
    public List<Result> sync(List<Application> applications, Duration waveTimeout) {
        List<Result> results = new ArrayList<>();
        Map<String, List<TrackedObject>> tracked = tracked();
        for (Map.Entry<Integer, List<Application>> wave : waves(applications).entrySet()) {
            List<GenericKubernetesResource> applied = new ArrayList<>();
            for (Application application : wave.getValue()) {
                Instant started = Instant.now();
                Result result = apply(application, tracked.getOrDefault(application.name(), List.of()), applied);
                results.add(result);
                log.accept("sync: wave %d: %s (%d ms)".formatted(wave.getKey(), result,
                        Duration.between(started, Instant.now()).toMillis()));
            }
            awaitHealthy(wave.getKey(), applied, waveTimeout);
        }
        for (Application application : applications) {
            if (!application.deployed()) {
                log.accept("sync: %s not deployed: %s".formatted(application.name(), application.skipped()));
            }
        }
        return results;
    }

    /**
     * Drift between the rendered applications and the cluster, one line per object: what a server-side apply would
     * change (a dry run), what is missing, and what is tracked but no longer rendered. Empty when in sync.
     */
    public List<String> drift(List<Application> applications) {
        List<String> drift = new ArrayList<>();
        Map<String, List<TrackedObject>> tracked = tracked();
        for (Application application : applications) {
            if (!application.deployed()) {
                continue;
            }
            Set<String> desired = new java.util.HashSet<>();
            for (GenericKubernetesResource object : desired(application)) {
                desired.add(trackingId(application, object));
                Resource<GenericKubernetesResource> resource = resource(object);
                GenericKubernetesResource live = resource.get();
                String what = describe(application, object);
                if (live == null) {
                    drift.add(what + ": missing");
                    continue;
                }
                GenericKubernetesResource wouldBe = serverSideApply(resource.dryRun(), object, what);
                List<String> fields = differences(comparable(live), comparable(wouldBe), "");
                if (!fields.isEmpty()) {
                    drift.add(what + ": differs at " + String.join(", ", fields));
                }
            }
            for (TrackedObject object : tracked.getOrDefault(application.name(), List.of())) {
                if (!desired.contains(object.trackingId())) {
                    drift.add("%s: %s %s: no longer rendered (%s)".formatted(application.name(), object.kind(),
                            object.name(), application.prune() ? "prune deletes it" : "prune is off"));
                }
            }
        }
        return drift;
    }

    private Result apply(Application application, List<TrackedObject> trackedBefore,
            List<GenericKubernetesResource> applied) {
        List<String> created = new ArrayList<>();
        List<String> configured = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<String> pruned = new ArrayList<>();
        if (application.createNamespace()) {
            GenericKubernetesResource namespace = new GenericKubernetesResource();
            namespace.setApiVersion("v1");
            namespace.setKind("Namespace");
            namespace.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                    .withName(application.namespace()).withLabels(application.namespaceLabels()).build());
            record(application, namespace, created, configured, unchanged);
        }
        Set<String> desired = new java.util.HashSet<>();
        for (GenericKubernetesResource object : desired(application)) {
            desired.add(trackingId(application, object));
            applied.add(record(application, object, created, configured, unchanged));
        }
        if (application.prune()) {
            for (TrackedObject object : trackedBefore) {
                if (!desired.contains(object.trackingId())) {
                    object.resource().delete();
                    pruned.add(object.kind() + " " + object.name());
                }
            }
        }
        return new Result(application.name(), created, configured, unchanged, pruned);
    }

    private GenericKubernetesResource record(Application application, GenericKubernetesResource object,
            List<String> created, List<String> configured, List<String> unchanged) {
        Resource<GenericKubernetesResource> resource = resource(object);
        String what = describe(application, object);
        GenericKubernetesResource before = resource.get();
        GenericKubernetesResource after = serverSideApply(resource, object, what);
        String name = object.getKind() + " " + object.getMetadata().getName();
        if (before == null) {
            created.add(name);
        }
        else if (differences(comparable(before), comparable(after), "").isEmpty()) {
            // Compared by content, not resourceVersion: controllers write status (a quota's usage, a CRD's
            // conditions) at any time, which is no change of ours.
            unchanged.add(name);
        }
        else {
            configured.add(name);
        }
        return after;
    }

    private static GenericKubernetesResource serverSideApply(
            WritableOperation<GenericKubernetesResource> resource,
            GenericKubernetesResource object, String what) {
        try {
            return resource.fieldValidation(FieldValidateable.Validation.STRICT)
                    .fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        }
        catch (KubernetesClientException e) {
            throw new SyncException(what + ": the API server refused it: " + reason(e), e);
        }
    }

    private static String reason(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    /** The application's objects as Argo CD applies them: destination namespace filled in, tracked, in order. */
    private List<GenericKubernetesResource> desired(Application application) {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        for (GenericKubernetesResource rendered : application.objects()) {
            GenericKubernetesResource object = client.getKubernetesSerialization()
                    .clone(rendered);
            ResourceDefinitionContext context = kindOrNull(object);
            if ((context == null || context.isNamespaceScoped()) && object.getMetadata().getNamespace() == null) {
                object.getMetadata().setNamespace(application.namespace());
            }
            Map<String, String> labels = new LinkedHashMap<>(Objects.requireNonNullElse(object.getMetadata().getLabels(), Map.of()));
            labels.put(INSTANCE_LABEL, application.name());
            object.getMetadata().setLabels(labels);
            Map<String, String> annotations = new LinkedHashMap<>(Objects.requireNonNullElse(object.getMetadata().getAnnotations(), Map.of()));
            annotations.put(TRACKING_ANNOTATION, trackingId(application, object));
            object.getMetadata().setAnnotations(annotations);
            objects.add(object);
        }
        objects.sort(Comparator.<GenericKubernetesResource>comparingInt(Sync::objectWave)
                .thenComparingInt(Sync::kindOrder)
                .thenComparing(object -> object.getMetadata().getName()));
        return objects;
    }

    private ResourceDefinitionContext kindOrNull(HasMetadata object) {
        try {
            return kinds.of(object);
        }
        catch (SyncException e) {
            return null; // a kind whose definition an earlier object of the same wave installs; applied as namespaced
        }
    }

    private static int objectWave(HasMetadata object) {
        String wave = object.getMetadata().getAnnotations() == null ? null
                : object.getMetadata().getAnnotations().get(OBJECT_WAVE);
        return wave == null ? 0 : Integer.parseInt(wave);
    }

    private static int kindOrder(HasMetadata object) {
        int index = KIND_ORDER.indexOf(object.getKind());
        return index < 0 ? KIND_ORDER.size() : index;
    }

    /** Argo CD's tracking id: {@code <application>:<group>/<kind>:<namespace>/<name>}. */
    static String trackingId(Application application, HasMetadata object) {
        String apiVersion = object.getApiVersion();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String namespace = Objects.requireNonNullElse(object.getMetadata().getNamespace(), "");
        return "%s:%s/%s:%s/%s".formatted(application.name(), group, object.getKind(), namespace,
                object.getMetadata().getName());
    }

    private static String describe(Application application, HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        return "%s: %s %s%s".formatted(application.name(), object.getKind(),
                namespace == null ? "" : namespace + "/", object.getMetadata().getName());
    }

    private Resource<GenericKubernetesResource> resource(GenericKubernetesResource object) {
        ResourceDefinitionContext context = kinds.of(object);
        NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> operation =
                context.isNamespaceScoped()
                        ? client.genericKubernetesResources(context).inNamespace(object.getMetadata().getNamespace())
                        : client.genericKubernetesResources(context);
        return operation.resource(object);
    }

    private record TrackedObject(String trackingId, String kind, String name, Resource<GenericKubernetesResource> resource) {}

    /** Every object in the cluster tracked by an application, by application (the instance label, then the id). */
    private Map<String, List<TrackedObject>> tracked() {
        Map<String, List<TrackedObject>> tracked = new HashMap<>();
        for (ResourceDefinitionContext context : kinds.listable()) {
            List<GenericKubernetesResource> items;
            try {
                var operation = client.genericKubernetesResources(context);
                items = (context.isNamespaceScoped() ? operation.inAnyNamespace() : operation)
                        .withLabel(INSTANCE_LABEL).list().getItems();
            }
            catch (KubernetesClientException e) {
                continue; // a kind this client may not list (e.g. an aggregated API that is down)
            }
            for (GenericKubernetesResource item : items) {
                String id = item.getMetadata().getAnnotations() == null ? null
                        : item.getMetadata().getAnnotations().get(TRACKING_ANNOTATION);
                if (id == null || !id.contains(":")) {
                    continue; // labelled by someone else (an EndpointSlice copies its Service's labels)
                }
                String application = id.substring(0, id.indexOf(':'));
                tracked.computeIfAbsent(application, key -> new ArrayList<>()).add(new TrackedObject(id,
                        item.getKind(), item.getMetadata().getName(), resource(item)));
            }
        }
        return tracked;
    }

    private static Map<Integer, List<Application>> waves(List<Application> applications) {
        return applications.stream().filter(Application::deployed).collect(Collectors.groupingBy(Application::wave,
                TreeMap::new, Collectors.toList()));
    }

    private void awaitHealthy(int wave, List<GenericKubernetesResource> objects, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        Instant started = Instant.now();
        while (true) {
            Map<String, String> unhealthy = new LinkedHashMap<>();
            for (GenericKubernetesResource object : objects) {
                Health health = Health.of(resource(object).get());
                if (!health.healthy()) {
                    unhealthy.put(object.getKind() + " " + object.getMetadata().getNamespace() + "/"
                            + object.getMetadata().getName(), health.message());
                }
            }
            if (unhealthy.isEmpty()) {
                log.accept("sync: wave %d healthy after %d ms".formatted(wave, Duration.between(started, Instant.now()).toMillis()));
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new SyncException("wave %d not healthy after %s: %s".formatted(wave, timeout, unhealthy));
            }
            try {
                Thread.sleep(1000);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SyncException("interrupted while waiting for wave " + wave, e);
            }
        }
    }

    /** The fields an apply decides: no status, no server bookkeeping. */
    private JsonNode comparable(GenericKubernetesResource object) {
        ObjectNode node = (ObjectNode) client.getKubernetesSerialization().convertValue(object, JsonNode.class);
        node.remove("status");
        ObjectNode metadata = (ObjectNode) node.path("metadata");
        for (String field : List.of("managedFields", "resourceVersion", "generation", "creationTimestamp", "uid")) {
            metadata.remove(field);
        }
        return node;
    }

    private static List<String> differences(JsonNode live, JsonNode wouldBe, String path) {
        if (Objects.equals(live, wouldBe)) {
            return List.of();
        }
        if (live != null && wouldBe != null && live.isObject() && wouldBe.isObject()) {
            List<String> fields = new ArrayList<>();
            Set<String> names = new java.util.TreeSet<>();
            live.fieldNames().forEachRemaining(names::add);
            wouldBe.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                fields.addAll(differences(live.get(name), wouldBe.get(name), path + "/" + name));
            }
            return fields;
        }
        return List.of(path.isEmpty() ? "/" : path);
    }
}
