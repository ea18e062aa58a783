package io.dataplatform.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The development cluster the reactor builds: a node that becomes Ready at the pom's Kubernetes version, runs pods
 * of this build's images with nothing pulled, resolves Service names through its cluster DNS (CoreDNS, built here),
 * and leaves the host as it was (kernel settings, iptables, cgroups).
 */
class KubernetesClusterIT {
    /** The kernel settings the kubelet wants; the host's must not change. */
    private static final List<String> KERNEL_SETTINGS = List.of("vm/overcommit_memory", "vm/panic_on_oom",
            "kernel/panic", "kernel/panic_on_oops", "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes");

    private static Map<String, String> hostSettingsBefore;
    private static KubernetesNodeContainer node;
    private static KubernetesClient client;

    @BeforeAll
    static void startCluster() throws Exception {
        hostSettingsBefore = hostSettings();
        node = new KubernetesNodeContainer(PlatformImage.of("kubernetes-node")).withImage(PlatformImage.of("base-os"))
                .withImage(PlatformImage.of("jre-25"));
        node.start();
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(node.kubeconfig())).build();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (client != null) {
            client.close();
        }
        if (node != null) {
            String id = node.getContainerId();
            node.close();
            // Stopped, the node leaves no cgroup behind (its pods' included).
            Path cgroup = Path.of("/sys/fs/cgroup/memory/docker", id);
            for (int attempt = 0; attempt < 50 && Files.exists(cgroup); attempt++) {
                Thread.sleep(200);
            }
            assertThat(cgroup).doesNotExist();
        }
    }

    @Test
    void theNodeIsReadyAtTheVersionOfThePom() {
        List<Node> nodes = client.nodes().list().getItems();
        assertThat(nodes).singleElement().satisfies(node -> {
            assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v" + System.getProperty("kubernetes.version"));
            assertThat(node.getStatus().getConditions())
                    .anySatisfy(condition -> {
                        assertThat(condition.getType()).isEqualTo("Ready");
                        assertThat(condition.getStatus()).isEqualTo("True");
                    });
            assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).startsWith("containerd://");
        });
    }

    @Test
    void aPodOfThisBuildsImageRunsWithNothingPulled() {
        String image = PlatformImage.of("base-os").reference();
        Pod pod = new PodBuilder()
                .withNewMetadata().withName("hello").withNamespace("default").endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("hello").withImage(image).withImagePullPolicy("Never")
                .withCommand("/bin/sh", "-c", "echo hello from $HOSTNAME")
                .endContainer()
                .endSpec()
                .build();
        ProbePods.Finished hello = ProbePods.run(client, pod);
        assertThat(hello.pod().getStatus().getPhase()).as(hello.log()).isEqualTo("Succeeded");
        assertThat(hello.log()).startsWith("hello from hello");
        assertThat(hello.pod().getStatus().getPodIP()).startsWith("10.244.");
    }

    @Test
    void serviceNamesResolveThroughTheClusterDns() throws Exception {
        ProbePods.Finished resolve = ProbePods.probe(client, "default", "resolve",
                "resolve:kubernetes.default.svc.cluster.local", "resolve:kubernetes.default",
                "resolve:kube-dns.kube-system");
        assertThat(resolve.pod().getStatus().getPhase()).as(resolve.log()).isEqualTo("Succeeded");
        assertThat(resolve.log().lines()).contains(
                "resolve.kubernetes.default.svc.cluster.local=10.96.0.1",
                "resolve.kubernetes.default=10.96.0.1",
                "resolve.kube-dns.kube-system=10.96.0.10");
    }

    @Test
    void theHostKeepsItsKernelSettingsIptablesAndCgroups() throws Exception {
        assertThat(hostSettings()).isEqualTo(hostSettingsBefore);
        // kube-proxy's and the CNI plugins' chains are in the node's network namespace, not the host's.
        RepositoryCopy.Run iptables = RepositoryCopy.run(Path.of("."), "iptables-save");
        assertThat(iptables.status()).as(iptables.output()).isZero();
        assertThat(iptables.output()).contains("DOCKER").doesNotContain("KUBE-").doesNotContain("CNI-");
        // The kubelet's cgroups are under the node container's own (private cgroup namespace), so they go with it.
        for (String controller : List.of("memory", "cpu", "pids")) {
            assertThat(Path.of("/sys/fs/cgroup", controller, "kubepods")).doesNotExist();
            assertThat(Path.of("/sys/fs/cgroup", controller, "docker", node.getContainerId(), "kubepods")).isDirectory();
        }
    }

    private static Map<String, String> hostSettings() throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : KERNEL_SETTINGS) {
            values.put(key, Files.readString(Path.of("/proc/sys", key)).strip());
        }
        return values;
    }
}
