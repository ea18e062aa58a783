package io.dataplatform.gitops.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * What the API server says about each kind (its discovery documents): the resource's plural name and whether it is
 * namespaced. Refreshed when a kind is unknown, since an application may install a CustomResourceDefinition that a
 * later one uses.
 */
final class ResourceKinds {
    private final KubernetesClient client;
    private final Map<String, ResourceDefinitionContext> byKind = new HashMap<>();
    private final List<ResourceDefinitionContext> listable = new ArrayList<>();

    ResourceKinds(KubernetesClient client) {
        this.client = client;
    }

    ResourceDefinitionContext of(HasMetadata object) {
        String key = object.getApiVersion() + "/" + object.getKind();
        if (!byKind.containsKey(key)) {
            discover();
        }
        ResourceDefinitionContext context = byKind.get(key);
        if (context == null) {
            throw new SyncException("%s %s: the API server serves no kind %s in %s".formatted(object.getKind(),
                    object.getMetadata().getName(), object.getKind(), object.getApiVersion()));
        }
        return context;
    }

    /** Every kind (preferred version of each group) that can be listed and deleted: where tracked objects may be. */
    List<ResourceDefinitionContext> listable() {
        if (listable.isEmpty()) {
            discover();
        }
        return listable;
    }

    private void discover() {
        byKind.clear();
        listable.clear();
        add(client.getApiResources("v1"), "", "v1", true);
        for (APIGroup group : client.getApiGroups().getGroups()) {
            String preferred = group.getPreferredVersion().getGroupVersion();
            for (var version : group.getVersions()) {
                APIResourceList resources = client.getApiResources(version.getGroupVersion());
                add(resources, group.getName(), version.getVersion(), version.getGroupVersion().equals(preferred));
            }
        }
    }

    private void add(APIResourceList resources, String group, String version, boolean preferred) {
        if (resources == null) {
            return;
        }
        String apiVersion = group.isEmpty() ? version : group + "/" + version;
        for (APIResource resource : resources.getResources()) {
            if (resource.getName().contains("/")) {
                continue; // a subresource
            }
            ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                    .withGroup(group).withVersion(version).withKind(resource.getKind())
                    .withPlural(resource.getName()).withNamespaced(resource.getNamespaced()).build();
            byKind.put(apiVersion + "/" + resource.getKind(), context);
            if (preferred && resource.getVerbs().contains("list") && resource.getVerbs().contains("delete")
                    && !List.of("events", "endpoints", "endpointslices", "leases").contains(resource.getName())) {
                listable.add(context);
            }
        }
    }
}
