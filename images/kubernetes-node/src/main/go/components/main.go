// Command kube is the Kubernetes control plane and node of the platform's development cluster in one binary, as
// k3s links them: the shared code (client-go, apimachinery, the API types) once instead of five times. The first
// argument (or the name the binary is called by) picks the component; the rest are that component's own flags.
//
//	kube apiserver|controller-manager|scheduler|kubelet|proxy [flags]
//	kube node      the whole single-node cluster in a container (node.go)
//	kube network-policy   the node's NetworkPolicy enforcement (networkpolicy.go)
//
// Built from k8s.io/kubernetes on the Go module proxy, the version of the root pom's kubernetes.version (go.mod
// replaces every staging module with its published release); the build stamps that version
// (-X k8s.io/component-base/version.gitVersion) and refuses to run if it differs from the module it links.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	_ "time/tzdata" // CronJob time zones (as kube-apiserver's main)

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/component-base/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

var components = map[string]func() *cobra.Command{
	"apiserver":          apiserver.NewAPIServerCommand,
	"controller-manager": controllermanager.NewControllerManagerCommand,
	"scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
	"kubelet":            func() *cobra.Command { return kubelet.NewKubeletCommand(context.Background()) },
	"proxy":              proxy.NewProxyCommand,
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "node" {
		os.Exit(runNode(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "network-policy" {
		os.Exit(runNetworkPolicy(os.Args[2:]))
	}
	if err := checkVersion(); err != nil {
		fmt.Fprintln(os.Stderr, "kube:", err)
		os.Exit(2)
	}
	name, arguments := component(os.Args)
	newCommand, ok := components[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "usage: kube <component> [flags]; components: apiserver, controller-manager, "+
			"scheduler, kubelet, proxy (not %q)\n", name)
		os.Exit(2)
	}
	command := newCommand()
	command.SetArgs(arguments)
	os.Exit(cli.Run(command))
}

// component reads the component from the program name (kube-apiserver, kubelet, ...) or the first argument.
func component(args []string) (string, []string) {
	program := strings.TrimPrefix(filepath.Base(args[0]), "kube-")
	if _, ok := components[program]; ok {
		return program, args[1:]
	}
	if len(args) < 2 {
		return "", nil
	}
	return args[1], args[2:]
}

func versionString() string {
	return version.Get().GitVersion
}

// checkVersion refuses a binary whose stamped version is not the Kubernetes it links (a go.mod bumped without the
// pom, or the reverse).
func checkVersion() error {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Errorf("no build information in the binary")
	}
	for _, module := range info.Deps {
		if module.Path == "k8s.io/kubernetes" {
			if module.Version != version.Get().GitVersion {
				return fmt.Errorf("built as Kubernetes %s but links k8s.io/kubernetes %s: set kubernetes.version in "+
					"the root pom.xml and the require in go.mod to the same release", version.Get().GitVersion,
					module.Version)
			}
			return nil
		}
	}
	return fmt.Errorf("k8s.io/kubernetes is not linked")
}
