package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

// The development node's NetworkPolicy enforcement (its bridge CNI has none): ingress policies, as the platform's
// tree uses them, become iptables rules in one chain that the mangle table's FORWARD jumps to first. Mangle, not
// filter: filter's FORWARD starts with kube-proxy's and the CNI firewall plugin's ACCEPTs (replies, marked Service
// traffic, anything a pod sends), which each insist on being first; mangle's FORWARD runs before them, after
// kube-proxy's DNAT, so it sees the destination pod and the original source. A pod some Ingress policy of its
// namespace selects is isolated: only the sources and ports a rule of those policies allows reach it; the node
// itself (the kubelet's probes) always does; replies of allowed connections pass. Egress policies are not enforced
// (the tree has none). Production clusters enforce policies with their CNI; this makes the dev cluster refuse what
// production would, so the tree's policies are tested, not only validated.
//
//	kube network-policy --kubeconfig FILE
const (
	policyChain  = "PLATFORM-INGRESS"
	syncInterval = time.Second
)

func runNetworkPolicy(arguments []string) int {
	kubeconfig := configDirectory + "/admin.conf"
	for i := 0; i < len(arguments); i++ {
		if arguments[i] == "--kubeconfig" && i+1 < len(arguments) {
			kubeconfig = arguments[i+1]
			i++
		} else if value, ok := strings.CutPrefix(arguments[i], "--kubeconfig="); ok {
			kubeconfig = value
		} else {
			fmt.Fprintf(os.Stderr, "network-policy: unknown argument %q (usage: kube network-policy --kubeconfig FILE)\n",
				arguments[i])
			return 2
		}
	}
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		fmt.Fprintf(os.Stderr, "network-policy: %v\n", err)
		return 1
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		fmt.Fprintf(os.Stderr, "network-policy: %v\n", err)
		return 1
	}
	factory := informers.NewSharedInformerFactory(client, 0)
	pods := factory.Core().V1().Pods()
	namespaces := factory.Core().V1().Namespaces()
	policies := factory.Networking().V1().NetworkPolicies()
	changed := make(chan struct{}, 1)
	notify := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { wake(changed) },
		UpdateFunc: func(any, any) { wake(changed) },
		DeleteFunc: func(any) { wake(changed) },
	}
	for _, informer := range []cache.SharedIndexInformer{pods.Informer(), namespaces.Informer(), policies.Informer()} {
		if _, err := informer.AddEventHandler(notify); err != nil {
			fmt.Fprintf(os.Stderr, "network-policy: %v\n", err)
			return 1
		}
	}
	ctx := context.Background()
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	fmt.Printf("network-policy: enforcing Ingress policies in chain %s\n", policyChain)
	applied := ""
	for {
		<-changed
		// Read at every sync: the bridge (and its address, the source of the kubelet's probes) appears with the
		// first pod, whose IP is an update that brings us here.
		nodeAddresses, err := localAddresses()
		if err != nil {
			fmt.Fprintf(os.Stderr, "network-policy: %v\n", err)
			return 1
		}
		podList, _ := pods.Lister().List(labels.Everything())
		namespaceList, _ := namespaces.Lister().List(labels.Everything())
		policyList, _ := policies.Lister().List(labels.Everything())
		rules := ingressRules(podList, namespaceList, policyList, nodeAddresses)
		if rules != applied {
			if err := applyRules(rules); err != nil {
				fmt.Fprintf(os.Stderr, "network-policy: %v\n", err)
				wake(changed)
			} else {
				applied = rules
				fmt.Printf("network-policy: %d rules for %d pods under %d policies (node addresses %s)\n",
					strings.Count(rules, "\n-A "), len(podList), len(policyList), strings.Join(nodeAddresses, ", "))
			}
		}
		time.Sleep(syncInterval)
	}
}

func wake(changed chan struct{}) {
	select {
	case changed <- struct{}{}:
	default:
	}
}

// localAddresses are the node's own IPv4 addresses (the kubelet's probes come from one of them).
func localAddresses() ([]string, error) {
	addresses, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var result []string
	for _, address := range addresses {
		if network, ok := address.(*net.IPNet); ok && network.IP.To4() != nil {
			result = append(result, network.IP.String())
		}
	}
	sort.Strings(result)
	return result, nil
}

// applyRules replaces the chain's rules in one iptables-restore transaction and makes mangle's FORWARD jump to it.
func applyRules(rules string) error {
	if err := exec.Command("iptables", "-w", "-t", "mangle", "-C", "FORWARD", "-j", policyChain).Run(); err != nil {
		if output, err := exec.Command("iptables", "-w", "-t", "mangle", "-N", policyChain).CombinedOutput(); err != nil &&
			!strings.Contains(string(output), "exists") {
			return fmt.Errorf("iptables -t mangle -N %s: %v: %s", policyChain, err, output)
		}
		if output, err := exec.Command("iptables", "-w", "-t", "mangle", "-I", "FORWARD", "1", "-j",
			policyChain).CombinedOutput(); err != nil {
			return fmt.Errorf("iptables -t mangle -I FORWARD: %v: %s", err, output)
		}
	}
	restore := exec.Command("iptables-restore", "-w", "--noflush")
	restore.Stdin = strings.NewReader(rules)
	if output, err := restore.CombinedOutput(); err != nil {
		return fmt.Errorf("iptables-restore: %v: %s", err, output)
	}
	return nil
}

// ingressRules is the chain's content (iptables-restore input for the mangle table) for these objects: for every
// isolated pod, one RETURN per allowed source and port, then DROP.
func ingressRules(pods []*corev1.Pod, namespaces []*corev1.Namespace, policies []*networkingv1.NetworkPolicy,
	nodeAddresses []string) string {
	namespaceLabels := map[string]labels.Set{}
	for _, namespace := range namespaces {
		namespaceLabels[namespace.Name] = namespace.Labels
	}
	var running []*corev1.Pod
	for _, pod := range pods {
		if pod.Status.PodIP != "" && !pod.Spec.HostNetwork && pod.Status.Phase != corev1.PodSucceeded &&
			pod.Status.Phase != corev1.PodFailed {
			running = append(running, pod)
		}
	}
	sort.Slice(running, func(i, j int) bool {
		return running[i].Namespace+"/"+running[i].Name < running[j].Namespace+"/"+running[j].Name
	})
	sortedPolicies := append([]*networkingv1.NetworkPolicy(nil), policies...)
	sort.Slice(sortedPolicies, func(i, j int) bool {
		return sortedPolicies[i].Namespace+"/"+sortedPolicies[i].Name < sortedPolicies[j].Namespace+"/"+sortedPolicies[j].Name
	})

	var out bytes.Buffer
	out.WriteString("*mangle\n:" + policyChain + " - [0:0]\n")
	out.WriteString("-A " + policyChain + " -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN\n")
	for _, address := range nodeAddresses {
		out.WriteString("-A " + policyChain + " -s " + address + "/32 -j RETURN\n")
	}
	for _, pod := range running {
		isolated := false
		var allowed []string
		for _, policy := range sortedPolicies {
			if policy.Namespace != pod.Namespace || !hasIngress(policy) || !selects(&policy.Spec.PodSelector, pod.Labels) {
				continue
			}
			isolated = true
			for _, rule := range policy.Spec.Ingress {
				sources, any := ruleSources(policy.Namespace, rule.From, running, namespaceLabels)
				if !any && len(sources) == 0 {
					continue
				}
				for _, port := range rulePorts(rule.Ports, pod) {
					if any {
						allowed = append(allowed, port)
					}
					for _, source := range sources {
						allowed = append(allowed, "-s "+source+" "+port)
					}
				}
			}
		}
		if !isolated {
			continue
		}
		destination := "-A " + policyChain + " -d " + pod.Status.PodIP + "/32"
		comment := " -m comment --comment \"" + pod.Namespace + "/" + pod.Name + "\""
		for _, match := range allowed {
			out.WriteString(strings.TrimRight(destination+" "+match, " ") + comment + " -j RETURN\n")
		}
		out.WriteString(destination + comment + " -j DROP\n")
	}
	out.WriteString("COMMIT\n")
	return out.String()
}

func hasIngress(policy *networkingv1.NetworkPolicy) bool {
	if len(policy.Spec.PolicyTypes) == 0 {
		return true // Ingress is implied; Egress only when egress rules exist
	}
	for _, policyType := range policy.Spec.PolicyTypes {
		if policyType == networkingv1.PolicyTypeIngress {
			return true
		}
	}
	return false
}

func selects(selector *metav1.LabelSelector, set map[string]string) bool {
	parsed, err := metav1.LabelSelectorAsSelector(selector)
	return err == nil && parsed.Matches(labels.Set(set))
}

// ruleSources are the source matches of a rule's peers (pod IPs, CIDRs); any: the rule has no peers (everyone).
func ruleSources(namespace string, peers []networkingv1.NetworkPolicyPeer, pods []*corev1.Pod,
	namespaceLabels map[string]labels.Set) (sources []string, any bool) {
	if len(peers) == 0 {
		return nil, true
	}
	seen := map[string]bool{}
	add := func(source string) {
		if !seen[source] {
			seen[source] = true
			sources = append(sources, source)
		}
	}
	for _, peer := range peers {
		if peer.IPBlock != nil {
			if len(peer.IPBlock.Except) == 0 {
				add(peer.IPBlock.CIDR)
			}
			// A block with exceptions is left out rather than widened (the tree uses none).
			continue
		}
		for _, pod := range pods {
			if peer.NamespaceSelector == nil && pod.Namespace != namespace {
				continue
			}
			if peer.NamespaceSelector != nil && !selects(peer.NamespaceSelector, namespaceLabels[pod.Namespace]) {
				continue
			}
			if peer.PodSelector != nil && !selects(peer.PodSelector, pod.Labels) {
				continue
			}
			add(pod.Status.PodIP + "/32")
		}
	}
	return sources, false
}

// rulePorts are a rule's port matches on pod ("" = every port); a named port is looked up in the pod's containers.
func rulePorts(ports []networkingv1.NetworkPolicyPort, pod *corev1.Pod) []string {
	if len(ports) == 0 {
		return []string{""}
	}
	var matches []string
	for _, port := range ports {
		protocol := corev1.ProtocolTCP
		if port.Protocol != nil {
			protocol = *port.Protocol
		}
		match := "-p " + strings.ToLower(string(protocol))
		switch {
		case port.Port == nil:
			matches = append(matches, match)
		case port.Port.StrVal != "":
			for _, container := range pod.Spec.Containers {
				for _, containerPort := range container.Ports {
					if containerPort.Name == port.Port.StrVal {
						matches = append(matches, match+" --dport "+strconv.Itoa(int(containerPort.ContainerPort)))
					}
				}
			}
		case port.EndPort != nil:
			matches = append(matches, fmt.Sprintf("%s --dport %d:%d", match, port.Port.IntVal, *port.EndPort))
		default:
			matches = append(matches, match+" --dport "+strconv.Itoa(int(port.Port.IntVal)))
		}
	}
	return matches
}
