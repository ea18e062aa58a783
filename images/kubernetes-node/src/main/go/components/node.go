package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// A whole single-node cluster in one (privileged) container, the way kind runs one, but with no init system: this
// supervisor makes the cluster's PKI and configuration, starts etcd, the control plane, containerd, the kubelet
// and kube-proxy as its children, imports the images it finds, says when the node is Ready, and stops everything on
// TERM. Whatever a component changes stays in the container: its cgroup namespace (private), its network and mount
// namespaces, and the kernel settings the kubelet would otherwise write on the host, which are shown to it at the
// values it wants instead (see protectHostKernelSettings).
const (
	stateDirectory   = "/var/lib/platform-node"
	pkiDirectory     = stateDirectory + "/pki"
	configDirectory  = "/etc/kubernetes"
	logDirectory     = "/var/log/platform-node"
	imagesDirectory  = "/var/lib/platform-node/images" // docker-archive tars to import (the fixture copies them here)
	builtinImages    = "/usr/share/platform-node/images"
	scratchDirectory = "/data/spark-scratch"
	containerdSocket = "/run/containerd/containerd.sock"
	clusterDomain    = "cluster.local"
	serviceRange     = "10.96.0.0/16"
	apiServiceIP     = "10.96.0.1"
	podRange         = "10.244.0.0/16"
	podSubnet        = "10.244.0.0/24"
	clusterDNS       = "10.96.0.10"
)

// process is a running component.
type process struct {
	name    string
	command *exec.Cmd
	exited  chan error
}

func runNode(arguments []string) int {
	started := time.Now()
	say("starting (Kubernetes %s)", versionString())
	nodeName, err := os.Hostname()
	if err != nil {
		return fail("no host name: %v", err)
	}
	nodeIP, err := primaryAddress()
	if err != nil {
		return fail("%v", err)
	}
	for _, directory := range []string{pkiDirectory, configDirectory, logDirectory, imagesDirectory,
		"/etc/cni/net.d", "/var/lib/etcd", volumesDirectory, "/var/lib/kubelet", "/run/containerd"} {
		if err := os.MkdirAll(directory, 0o755); err != nil {
			return fail("%v", err)
		}
	}
	// The stand-in for the HDFS data disks' scratch directories, which Spark's executors mount (hostPath): any
	// executor user writes there, none removes another's files.
	if err := os.MkdirAll(scratchDirectory, 0o755); err != nil {
		return fail("%v", err)
	}
	if err := os.Chmod(scratchDirectory, 0o777|os.ModeSticky); err != nil {
		return fail("%v", err)
	}
	// Shadow the kubelet's global kernel settings while /proc/sys is still read-only, then open the rest.
	if err := protectHostKernelSettings(); err != nil {
		return fail("kernel settings: %v", err)
	}
	if err := prepareMounts(); err != nil {
		return fail("mounts: %v", err)
	}
	if err := writePKI(nodeName, nodeIP); err != nil {
		return fail("certificates: %v", err)
	}
	if err := writeConfiguration(nodeName, nodeIP); err != nil {
		return fail("configuration: %v", err)
	}

	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	var running []*process
	stop := func() {
		for i := len(running) - 1; i >= 0; i-- {
			_ = running[i].command.Process.Signal(syscall.SIGTERM)
			select {
			case <-running[i].exited:
			case <-time.After(10 * time.Second):
				_ = running[i].command.Process.Kill()
			}
		}
	}
	start := func(name string, arguments ...string) (*process, error) {
		p, err := startProcess(name, arguments...)
		if err == nil {
			running = append(running, p)
		}
		return p, err
	}
	self, _ := os.Executable()

	steps := []struct {
		name  string
		start func() error
	}{
		{"etcd", func() error {
			_, err := start("etcd", "/usr/local/bin/etcd", "--name", nodeName, "--data-dir", "/var/lib/etcd",
				"--listen-client-urls", "http://127.0.0.1:2379", "--advertise-client-urls", "http://127.0.0.1:2379",
				"--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
				"--initial-cluster", nodeName+"=http://127.0.0.1:2380", "--log-level", "warn")
			return err
		}},
		{"apiserver", func() error {
			_, err := start("apiserver", self, "apiserver",
				"--etcd-servers=http://127.0.0.1:2379",
				"--bind-address=0.0.0.0", "--secure-port=6443", "--advertise-address="+nodeIP,
				"--service-cluster-ip-range="+serviceRange,
				"--tls-cert-file="+pkiDirectory+"/apiserver.crt", "--tls-private-key-file="+pkiDirectory+"/apiserver.key",
				"--client-ca-file="+pkiDirectory+"/ca.crt",
				"--kubelet-client-certificate="+pkiDirectory+"/apiserver-kubelet-client.crt",
				"--kubelet-client-key="+pkiDirectory+"/apiserver-kubelet-client.key",
				"--kubelet-certificate-authority="+pkiDirectory+"/ca.crt",
				"--kubelet-preferred-address-types=InternalIP,Hostname",
				"--service-account-issuer=https://kubernetes.default.svc."+clusterDomain,
				"--service-account-key-file="+pkiDirectory+"/sa.pub",
				"--service-account-signing-key-file="+pkiDirectory+"/sa.key",
				"--authorization-mode=Node,RBAC", "--enable-admission-plugins=NodeRestriction",
				"--allow-privileged=true", "--profiling=false")
			if err != nil {
				return err
			}
			return waitFor("the API server", 90*time.Second, apiServerReady)
		}},
		{"controller-manager", func() error {
			_, err := start("controller-manager", self, "controller-manager",
				"--kubeconfig="+configDirectory+"/controller-manager.conf",
				"--authentication-kubeconfig="+configDirectory+"/controller-manager.conf",
				"--authorization-kubeconfig="+configDirectory+"/controller-manager.conf",
				"--bind-address=127.0.0.1", "--leader-elect=false", "--use-service-account-credentials=true",
				"--service-account-private-key-file="+pkiDirectory+"/sa.key", "--root-ca-file="+pkiDirectory+"/ca.crt",
				"--cluster-signing-cert-file="+pkiDirectory+"/ca.crt", "--cluster-signing-key-file="+pkiDirectory+"/ca.key",
				"--controllers=*,bootstrapsigner,tokencleaner", "--profiling=false")
			return err
		}},
		{"scheduler", func() error {
			_, err := start("scheduler", self, "scheduler", "--kubeconfig="+configDirectory+"/scheduler.conf",
				"--authentication-kubeconfig="+configDirectory+"/scheduler.conf",
				"--authorization-kubeconfig="+configDirectory+"/scheduler.conf",
				"--bind-address=127.0.0.1", "--leader-elect=false", "--profiling=false")
			return err
		}},
		{"containerd", func() error {
			_, err := start("containerd", "/usr/bin/containerd", "--config", configDirectory+"/containerd.toml")
			if err != nil {
				return err
			}
			if err := waitFor("containerd", 30*time.Second, func() error { return socketAnswers(containerdSocket) }); err != nil {
				return err
			}
			return importImages()
		}},
		{"kubelet", func() error {
			_, err := start("kubelet", self, "kubelet", "--config="+configDirectory+"/kubelet.yaml",
				"--kubeconfig="+configDirectory+"/kubelet.conf", "--node-ip="+nodeIP, "--hostname-override="+nodeName)
			return err
		}},
		{"proxy", func() error {
			_, err := start("proxy", self, "proxy", "--config="+configDirectory+"/proxy.yaml",
				"--hostname-override="+nodeName)
			return err
		}},
		{"network-policy", func() error {
			_, err := start("network-policy", self, "network-policy", "--kubeconfig="+configDirectory+"/admin.conf")
			return err
		}},
	}
	for _, step := range steps {
		if err := step.start(); err != nil {
			stop()
			return fail("%s: %v", step.name, err)
		}
	}
	if err := waitFor("the node to be Ready", 3*time.Minute, func() error { return nodeReady(nodeName) }); err != nil {
		stop()
		return fail("%v", err)
	}
	// Usable, not only Ready: pods are refused until the controller manager has made the default service account,
	// and Service names resolve once the cluster DNS runs.
	if err := waitFor("the default service account", time.Minute, defaultServiceAccount); err != nil {
		stop()
		return fail("%v", err)
	}
	if client, err := adminClient(); err != nil {
		stop()
		return fail("%v", err)
	} else if err := applyClusterDNS(context.Background(), client); err != nil {
		stop()
		return fail("cluster DNS: %v", err)
	} else if err := applyStorage(context.Background(), client); err != nil {
		stop()
		return fail("storage provisioner: %v", err)
	}
	if err := waitFor("the cluster DNS", 2*time.Minute, clusterDNSReady); err != nil {
		stop()
		return fail("%v", err)
	}
	if err := waitFor("the storage provisioner", 2*time.Minute, storageReady); err != nil {
		stop()
		return fail("%v", err)
	}
	say("node %s Ready (%s) after %.1f s; API server https://%s:6443, admin kubeconfig %s", nodeName, nodeIP,
		time.Since(started).Seconds(), nodeIP, configDirectory+"/admin.conf")

	exits := make(chan string, len(running))
	for _, p := range running {
		go func(p *process) {
			err := <-p.exited
			exits <- fmt.Sprintf("%s exited: %v (log: %s)", p.name, err, logFile(p.name))
			p.exited <- err
		}(p)
	}
	select {
	case received := <-signals:
		say("%s: stopping", received)
		stop()
		return 0
	case exit := <-exits:
		say("%s", exit)
		printTail(exit)
		stop()
		return 1
	}
}

func startProcess(name string, arguments ...string) (*process, error) {
	log, err := os.OpenFile(logFile(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	command := exec.Command(arguments[0], arguments[1:]...)
	command.Stdout, command.Stderr = log, log
	command.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := command.Start(); err != nil {
		return nil, err
	}
	p := &process{name: name, command: command, exited: make(chan error, 1)}
	go func() { p.exited <- command.Wait() }()
	say("started %s (pid %d, log %s)", name, command.Process.Pid, logFile(name))
	return p, nil
}

func logFile(name string) string {
	return filepath.Join(logDirectory, name+".log")
}

// printTail prints the last lines of the log a failure names, so the container's log says why.
func printTail(message string) {
	for _, name := range []string{"etcd", "apiserver", "controller-manager", "scheduler", "containerd", "kubelet", "proxy",
		"network-policy"} {
		if !strings.HasPrefix(message, name+" ") {
			continue
		}
		file, err := os.Open(logFile(name))
		if err != nil {
			return
		}
		defer file.Close()
		var lines []string
		scanner := bufio.NewScanner(file)
		scanner.Buffer(make([]byte, 1<<20), 1<<20)
		for scanner.Scan() {
			lines = append(lines, scanner.Text())
			if len(lines) > 40 {
				lines = lines[1:]
			}
		}
		for _, line := range lines {
			fmt.Println("  " + name + ": " + line)
		}
	}
}

func waitFor(what string, timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if last = check(); last == nil {
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("waited %s for %s: %v", timeout, what, last)
}

func apiServerReady() error {
	pool := x509.NewCertPool()
	ca, err := os.ReadFile(pkiDirectory + "/ca.crt")
	if err != nil {
		return err
	}
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	response, err := client.Get("https://127.0.0.1:6443/readyz")
	if err != nil {
		return err
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		return fmt.Errorf("/readyz: HTTP %d", response.StatusCode)
	}
	return nil
}

func socketAnswers(path string) error {
	connection, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return err
	}
	return connection.Close()
}

func adminClient() (*kubernetes.Clientset, error) {
	config, err := clientcmd.BuildConfigFromFlags("", configDirectory+"/admin.conf")
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(config)
}

func defaultServiceAccount() error {
	client, err := adminClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = client.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
	return err
}

func nodeReady(name string) error {
	client, err := adminClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	node, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for _, condition := range node.Status.Conditions {
		if condition.Type == corev1.NodeReady {
			if condition.Status == corev1.ConditionTrue {
				return nil
			}
			return fmt.Errorf("node %s: %s", name, condition.Message)
		}
	}
	return fmt.Errorf("node %s has no Ready condition yet", name)
}

// importImages loads every docker-archive tar of the built-in and copied image directories into containerd's k8s.io
// namespace (where the kubelet looks), so pods use this build's images with no registry.
func importImages() error {
	for _, directory := range []string{builtinImages, imagesDirectory} {
		archives, _ := filepath.Glob(filepath.Join(directory, "*.tar"))
		nested, _ := filepath.Glob(filepath.Join(directory, "*", "*.tar"))
		for _, archive := range append(archives, nested...) {
			if err := importImage(archive); err != nil {
				return err
			}
		}
	}
	return nil
}

func importImage(archive string) error {
	started := time.Now()
	output, err := exec.Command("/usr/bin/ctr", "--address", containerdSocket, "--namespace", "k8s.io", "images",
		"import", archive).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ctr images import %s: %v: %s", archive, err, output)
	}
	say("imported %s in %.1f s: %s", archive, time.Since(started).Seconds(), strings.TrimSpace(string(output)))
	return nil
}

func primaryAddress() (string, error) {
	addresses, err := net.InterfaceAddrs()
	if err != nil {
		return "", err
	}
	for _, address := range addresses {
		if network, ok := address.(*net.IPNet); ok && !network.IP.IsLoopback() && network.IP.To4() != nil {
			return network.IP.String(), nil
		}
	}
	return "", fmt.Errorf("no IPv4 address outside loopback")
}

func say(format string, arguments ...any) {
	fmt.Printf("node: "+format+"\n", arguments...)
}

func fail(format string, arguments ...any) int {
	fmt.Fprintf(os.Stderr, "node: "+format+"\n", arguments...)
	return 1
}
