package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
)

// The CoreDNS image the node carries (-X main.corednsImage): the cluster DNS, as kubeadm installs it.
var corednsImage = "docker.io/platform/coredns:unknown"

// corefile: the machines beside the cluster (hosts, both ways: the hosts plugin answers their PTR queries too, which
// Kerberos needs), cluster names from the API, everything else forwarded to the node's resolver.
const corefileTemplate = `.:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    hosts /etc/coredns/hosts {
        fallthrough
    }
    kubernetes ` + clusterDomain + ` in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`

// corefile: without a reachable upstream name server (upstreamResolvConf), no forward.
func corefile() string {
	if upstreamResolvConf() == "" {
		return strings.Replace(corefileTemplate, "    forward . /etc/resolv.conf\n", "", 1)
	}
	return corefileTemplate
}

// hostsFile lists machines outside the cluster that pods must reach by name (the development KDC and HDFS on the
// Docker network), in /etc/hosts format; the fixture or the local platform writes it before the node starts.
const hostsFile = "/etc/platform-node/hosts"

func outsideHosts() string {
	content, err := os.ReadFile(hostsFile)
	if err != nil {
		return ""
	}
	return string(content)
}

// applyClusterDNS creates CoreDNS (service account, RBAC, Corefile, Deployment) and the kube-dns Service at the
// kubelet's clusterDNS address; objects that exist (a restarted node) are left as they are.
func applyClusterDNS(ctx context.Context, client *kubernetes.Clientset) error {
	const namespace, name = "kube-system", "coredns"
	labels := map[string]string{"k8s-app": "kube-dns"}
	nonRoot := true
	noEscalation := false
	objects := []func() error{
		func() error {
			_, err := client.CoreV1().ServiceAccounts(namespace).Create(ctx, &corev1.ServiceAccount{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
				ObjectMeta: metav1.ObjectMeta{Name: "system:coredns"},
				Rules: []rbacv1.PolicyRule{
					{APIGroups: []string{""}, Resources: []string{"endpoints", "services", "pods", "namespaces"}, Verbs: []string{"list", "watch"}},
					{APIGroups: []string{"discovery.k8s.io"}, Resources: []string{"endpointslices"}, Verbs: []string{"list", "watch"}},
				}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "system:coredns"},
				RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "system:coredns"},
				Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: namespace}},
			}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.CoreV1().ConfigMaps(namespace).Create(ctx, &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Data:       map[string]string{"Corefile": corefile(), "hosts": outsideHosts()}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.AppsV1().Deployments(namespace).Create(ctx, addonDeployment(namespace, name, labels, corev1.PodSpec{
				ServiceAccountName: name,
				// Port 53 without a capability: a non-root process gets no effective capabilities from
				// "add", and the image carries no file capabilities. The pod's own network namespace
				// lets unprivileged ports start at 0 (a safe, namespaced sysctl).
				SecurityContext: &corev1.PodSecurityContext{Sysctls: []corev1.Sysctl{
					{Name: "net.ipv4.ip_unprivileged_port_start", Value: "0"}}},
				PriorityClassName: "system-cluster-critical",
				DNSPolicy:         corev1.DNSDefault,
				Containers: []corev1.Container{{
					Name:            name,
					Image:           corednsImage,
					ImagePullPolicy: corev1.PullNever,
					Args:            []string{"-conf", "/etc/coredns/Corefile"},
					Ports: []corev1.ContainerPort{
						{Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP},
						{Name: "dns-tcp", ContainerPort: 53, Protocol: corev1.ProtocolTCP},
					},
					ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
						HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8181)}},
						PeriodSeconds: 2},
					LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
						HTTPGet: &corev1.HTTPGetAction{Path: "/health", Port: intstr.FromInt32(8080)}},
						InitialDelaySeconds: 30, PeriodSeconds: 10},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("170Mi")},
					},
					SecurityContext: &corev1.SecurityContext{
						RunAsNonRoot:             &nonRoot,
						AllowPrivilegeEscalation: &noEscalation,
						Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
					},
					VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/coredns", ReadOnly: true}},
				}},
				Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{
					ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: name}}}}},
			}), metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.CoreV1().Services(namespace).Create(ctx, &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: "kube-dns", Namespace: namespace, Labels: labels},
				Spec: corev1.ServiceSpec{
					Selector:  labels,
					ClusterIP: clusterDNS,
					Ports: []corev1.ServicePort{
						{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(53)},
						{Name: "dns-tcp", Port: 53, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(53)},
					},
				}}, metav1.CreateOptions{})
			return err
		},
	}
	return createAll(objects)
}

// addonDeployment: one replica of pod, selected by labels, as the node's addons run.
func addonDeployment(namespace, name string, labels map[string]string, pod corev1.PodSpec) *appsv1.Deployment {
	replicas := int32(1)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: pod},
		},
	}
}

// createAll runs each create in order; an object that exists already (a restarted node) is left as it is.
func createAll(objects []func() error) error {
	for _, create := range objects {
		if err := create(); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

// clusterDNSReady: the kube-dns Service answers a real query for the API server's name (through kube-proxy's rules,
// as a pod's query goes).
func clusterDNSReady() error {
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{Timeout: time.Second}).DialContext(ctx, network, net.JoinHostPort(clusterDNS, "53"))
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	name := "kubernetes.default.svc." + clusterDomain
	addresses, err := resolver.LookupHost(ctx, name)
	if err != nil {
		return err
	}
	if len(addresses) != 1 || addresses[0] != apiServiceIP {
		return fmt.Errorf("%s resolves to %v, not %s", name, addresses, apiServiceIP)
	}
	return nil
}
