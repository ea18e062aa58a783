package io.dataplatform.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import org.testcontainers.containers.GenericContainer;

/**
 * A single-node Kubernetes from the reactor's {@code platform/kubernetes-node} image: control plane, containerd and
 * kubelet in one container with a privileged container's powers (kind's approach), in a private cgroup namespace so the kubelet's cgroups live
 * under the container's and go with it, its own network namespace for kube-proxy's and the CNI plugins' iptables
 * chains, and the host's kernel settings shown to the kubelet rather than changed. Images are this build's archives,
 * bind-mounted and imported into containerd at start; nothing is pulled.
 */
final class KubernetesNodeContainer extends GenericContainer<KubernetesNodeContainer> {
    static final int API_PORT = 6443;
    static final String ADMIN_KUBECONFIG = "/etc/kubernetes/admin.conf";
    private static final String IMAGES = "/var/lib/platform-node/images";

    private final Map<String, Path> images = new LinkedHashMap<>();
    private final Map<String, String> outsideHosts = new LinkedHashMap<>();

    KubernetesNodeContainer(PlatformImage node) {
        super(node.name());
    }

    /** Makes an image of this build available to pods under its reference (imported at start). */
    KubernetesNodeContainer withImage(PlatformImage image) {
        Path archive = Path.of(System.getProperty("platform.images.directory"), image.module(), "target", "image.tar");
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException(archive + " is missing: build the images first");
        }
        images.put(image.module(), archive.toAbsolutePath());
        return this;
    }

    /**
     * A machine beside the cluster (on the node's Docker network) that pods reach by name: served by the cluster DNS
     * both ways (name to address and back, as Kerberos needs).
     */
    KubernetesNodeContainer withOutsideHost(String name, String address) {
        outsideHosts.put(name, address);
        return this;
    }

    /**
     * Linux capabilities by number, as Docker 20.10 names them (38 and up are unknown to it). The node gets every one
     * the host's bounding set holds: "privileged" would ask for all of them, and a root process cannot be given
     * CAP_SYS_RESOURCE on these machines (runc: "unable to apply caps").
     */
    private static final List<String> CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",
            "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
            "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE",
            "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
            "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
            "BLOCK_SUSPEND", "AUDIT_READ");

    static Capability[] hostCapabilities() {
        long bounding;
        try {
            bounding = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("CapBnd:"))
                    .map(line -> Long.parseUnsignedLong(line.substring("CapBnd:".length()).strip(), 16))
                    .findFirst().orElseThrow();
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Capability> capabilities = new ArrayList<>();
        for (int bit = 0; bit < CAPABILITIES.size(); bit++) {
            if ((bounding & (1L << bit)) != 0) {
                capabilities.add(Capability.valueOf(CAPABILITIES.get(bit)));
            }
        }
        return capabilities.toArray(Capability[]::new);
    }

    @Override
    protected void configure() {
        withStartupAttempts(1);
        withExposedPorts(API_PORT);
        StringBuilder hosts = new StringBuilder();
        outsideHosts.forEach((name, address) -> hosts.append(address).append(' ').append(name).append('\n'));
        withCopyToContainer(org.testcontainers.images.builder.Transferable.of(hosts.toString()), "/etc/platform-node/hosts");
        // containerd's overlay snapshots need a directory that is not itself on overlayfs: an anonymous volume,
        // removed with the container. /run and /tmp as on a real node.
        withCreateContainerCmdModifier(command -> {
            List<Bind> binds = new ArrayList<>();
            images.forEach((module, archive) -> binds.add(Bind.parse(archive + ":" + IMAGES + "/" + module + ".tar:ro")));
            // What "privileged" would give, less the capabilities the host withholds: no AppArmor or seccomp
            // confinement, every device (pods' /dev), /dev/kmsg for the kubelet's OOM watcher. The node itself makes
            // its cgroup mounts and /proc/sys writable (node.go), after shadowing the kernel settings the kubelet
            // would otherwise change on the host.
            command.getHostConfig()
                    .withCapAdd(hostCapabilities())
                    .withSecurityOpts(List.of("apparmor=unconfined", "seccomp=unconfined"))
                    .withDeviceCgroupRules(List.of("a *:* rwm"))
                    .withDevices(Device.parse("/dev/kmsg"))
                    .withCgroupnsMode("private")
                    .withBinds(binds)
                    .withTmpFs(Map.of("/run", "rw,exec,mode=755", "/tmp", "rw,exec,mode=1777"));
            // The provisioned volumes (PersistentVolumeClaims) too: removed with the node.
            command.withVolumes(new com.github.dockerjava.api.model.Volume("/var/lib/containerd"),
                    new com.github.dockerjava.api.model.Volume("/var/lib/kubelet"),
                    new com.github.dockerjava.api.model.Volume("/var/lib/platform-node/volumes"));
            command.withHostName("platform-node");
        });
        waitingFor(new LogLineWait("node: node platform-node Ready").withStartupTimeout(Duration.ofMinutes(4)));
    }

    /** The admin kubeconfig, pointing at the API server's port on this host. */
    String kubeconfig() throws Exception {
        String inside = copyFileFromContainer(ADMIN_KUBECONFIG, input -> new String(input.readAllBytes()));
        // The certificate files it names are read into the kubeconfig, so it stands on its own outside the node.
        StringBuilder out = new StringBuilder();
        for (String line : inside.split("\n")) {
            String trimmed = line.strip();
            int colon = trimmed.indexOf(':');
            String key = colon < 0 ? "" : trimmed.substring(0, colon);
            if (List.of("certificate-authority", "client-certificate", "client-key").contains(key)) {
                String file = trimmed.substring(colon + 1).strip();
                String data = java.util.Base64.getEncoder().encodeToString(
                        copyFileFromContainer(file, java.io.InputStream::readAllBytes));
                out.append(line, 0, line.indexOf(key)).append(key).append("-data: ").append(data).append('\n');
            }
            else if (key.equals("server")) {
                out.append(line, 0, line.indexOf(key)).append("server: https://")
                        .append(getHost()).append(':').append(getMappedPort(API_PORT)).append('\n');
            }
            else {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }
}
