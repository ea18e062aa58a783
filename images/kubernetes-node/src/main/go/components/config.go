package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// The pause image the node carries (containerd's sandbox image); its tag is the node's (-X main.pauseImage).
var pauseImage = "docker.io/platform/pause:unknown"

func writePKI(nodeName, nodeIP string) error {
	ca, err := loadOrCreateAuthority(pkiDirectory)
	if err != nil {
		return err
	}
	hosts := []string{"localhost", "127.0.0.1", nodeIP, nodeName, apiServiceIP, "kubernetes", "kubernetes.default",
		"kubernetes.default.svc", "kubernetes.default.svc." + clusterDomain}
	certificates := []struct {
		name, commonName string
		groups           []string
		hosts            []string
	}{
		{"apiserver", "kube-apiserver", nil, hosts},
		{"apiserver-kubelet-client", "kube-apiserver-kubelet-client", []string{"system:masters"}, nil},
		{"admin", "platform-admin", []string{"system:masters"}, nil},
		{"controller-manager", "system:kube-controller-manager", nil, nil},
		{"scheduler", "system:kube-scheduler", nil, nil},
		{"proxy", "system:kube-proxy", nil, nil},
		{"kubelet", "system:node:" + nodeName, []string{"system:nodes"}, nil},
		{"kubelet-serving", "system:node:" + nodeName, nil, []string{nodeName, nodeIP, "localhost", "127.0.0.1"}},
	}
	for _, certificate := range certificates {
		if err := ca.issue(pkiDirectory, certificate.name, certificate.commonName, certificate.groups, certificate.hosts); err != nil {
			return err
		}
	}
	return serviceAccountKey(pkiDirectory)
}

// kubeconfig names the API server on loopback with a client certificate of the PKI.
func kubeconfig(user string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
  - name: platform
    cluster:
      server: https://127.0.0.1:6443
      certificate-authority: %[1]s/ca.crt
users:
  - name: %[2]s
    user:
      client-certificate: %[1]s/%[2]s.crt
      client-key: %[1]s/%[2]s.key
contexts:
  - name: platform
    context: {cluster: platform, user: %[2]s}
current-context: platform
`, pkiDirectory, user)
}

func writeConfiguration(nodeName, nodeIP string) error {
	files := map[string]string{}
	files[filepath.Join(configDirectory, "resolv.conf")] = upstreamResolvConf()
	for _, user := range []string{"admin", "controller-manager", "scheduler", "proxy", "kubelet"} {
		files[filepath.Join(configDirectory, user+".conf")] = kubeconfig(user)
	}
	files[filepath.Join(configDirectory, "containerd.toml")] = fmt.Sprintf(`version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
[grpc]
  address = "%s"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "%s"
  # These machines lack CAP_SYS_RESOURCE: without it every sandbox fails (runc cannot raise oom_score_adj).
  restrict_oom_score_adj = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "/etc/cni/net.d"
`, containerdSocket, pauseImage)
	// Docker sets the FORWARD policy to DROP: the firewall plugin lets the pods' traffic through.
	files["/etc/cni/net.d/10-platform.conflist"] = fmt.Sprintf(`{
  "cniVersion": "1.0.0",
  "name": "platform",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "firewall"}
  ]
}
`, podSubnet)
	files[filepath.Join(configDirectory, "kubelet.yaml")] = fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# The VMs run cgroup v1 and have swap settings of their own: both are accepted for a development node.
failCgroupV1: false
failSwapOn: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://%s
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: %[2]s/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: %[2]s/kubelet-serving.crt
tlsPrivateKeyFile: %[2]s/kubelet-serving.key
clusterDomain: %s
clusterDNS: [%s]
resolvConf: %[5]s/resolv.conf
# A development node on a shared disk: evict only when it is really full.
evictionHard: {memory.available: 100Mi, nodefs.available: 2%%, imagefs.available: 2%%, nodefs.inodesFree: 2%%}
imageGCHighThresholdPercent: 98
imageGCLowThresholdPercent: 95
# The node carries this build's images (imported, never pulled).
serializeImagePulls: false
`, containerdSocket, pkiDirectory, clusterDomain, clusterDNS, configDirectory)
	files[filepath.Join(configDirectory, "proxy.yaml")] = fmt.Sprintf(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: %s
clientConnection: {kubeconfig: %s/proxy.conf}
# Never touch the host's connection tracking table (a global setting, not the container's).
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
`, podRange, configDirectory)
	for file, content := range files {
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// prepareMounts makes the container's mounts shared among themselves (the kubelet propagates volume mounts into
// pods), which stays inside the container's own mount namespace, and makes the cgroup mounts writable: the container
// is not privileged (a privileged root container asks for capabilities these machines' kernels withhold), so Docker
// mounts them read-only. They show the container's own cgroup (a private cgroup namespace), so the kubelet's cgroups
// are created under it and removed with it. /proc/sys too, for the node's own network settings (kube-proxy, the CNI
// bridge): the global settings the kubelet would write are shadowed first (protectHostKernelSettings).
func prepareMounts() error {
	if err := unix.Mount("", "/", "", unix.MS_SHARED|unix.MS_REC, ""); err != nil {
		return err
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(mounts), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 6 {
			continue
		}
		point, options := fields[4], strings.Split(fields[5], ",")
		if point != "/sys/fs/cgroup" && !strings.HasPrefix(point, "/sys/fs/cgroup/") && point != "/proc/sys" {
			continue
		}
		flags := uintptr(unix.MS_REMOUNT | unix.MS_BIND)
		for _, option := range options {
			switch option {
			case "nosuid":
				flags |= unix.MS_NOSUID
			case "nodev":
				flags |= unix.MS_NODEV
			case "noexec":
				flags |= unix.MS_NOEXEC
			case "relatime":
				flags |= unix.MS_RELATIME
			}
		}
		if err := unix.Mount("", point, "", flags, ""); err != nil {
			return fmt.Errorf("cannot make %s writable: %v", point, err)
		}
	}
	return nil
}

// The kernel settings the kubelet writes at start are not namespaced: in a privileged container they would change
// the host's. Each is shown to the kubelet at the value it wants, by a file bind-mounted over it inside this
// container's mount namespace; the host keeps its own values (the pods run with them, as on the host).
var kubeletKernelSettings = map[string]string{
	"vm/overcommit_memory":      "1",
	"vm/panic_on_oom":           "0",
	"kernel/panic":              "10",
	"kernel/panic_on_oops":      "1",
	"kernel/keys/root_maxkeys":  "1000000",
	"kernel/keys/root_maxbytes": "25000000",
}

func protectHostKernelSettings() error {
	directory := "/run/platform-node/sysctl"
	if err := os.MkdirAll(directory, 0o755); err != nil {
		return err
	}
	for key, value := range kubeletKernelSettings {
		target := "/proc/sys/" + key
		current, err := os.ReadFile(target)
		if err != nil {
			return err
		}
		if strings.TrimSpace(string(current)) == value {
			continue
		}
		shown := filepath.Join(directory, strings.ReplaceAll(key, "/", "."))
		if err := os.WriteFile(shown, []byte(value+"\n"), 0o444); err != nil {
			return err
		}
		if err := unix.Mount(shown, target, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("cannot shadow %s: %v", target, err)
		}
		if err := unix.Mount("", target, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("cannot make %s read-only: %v", target, err)
		}
	}
	return nil
}

// upstreamResolvConf: the node's name servers that a pod can reach, for pods with dnsPolicy Default (CoreDNS's
// upstream). On a user-defined Docker network the node's only name server is Docker's, at 127.0.0.11 in the node's
// own network namespace: a pod cannot reach it (CoreDNS would forward to itself), so loopback servers are left out,
// and with none left the cluster DNS answers from the API and its hosts file alone.
func upstreamResolvConf() string {
	content, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return ""
	}
	var out strings.Builder
	for _, line := range strings.Split(string(content), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 2 && fields[0] == "nameserver" {
			if ip := net.ParseIP(fields[1]); ip != nil && !ip.IsLoopback() {
				out.WriteString(line + "\n")
			}
		}
	}
	return out.String()
}
