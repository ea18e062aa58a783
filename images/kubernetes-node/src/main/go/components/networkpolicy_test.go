package main

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func pod(namespace, name, ip string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{
			{Name: "https", ContainerPort: 8443}}}}},
		Status: corev1.PodStatus{PodIP: ip, Phase: corev1.PodRunning},
	}
}

func namespace(name string, labels map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

// The platform namespace's policies as the tree has them (apps/shared/base/network-policies.yaml).
func platformPolicies(port intstr.IntOrString) []*networkingv1.NetworkPolicy {
	return []*networkingv1.NetworkPolicy{
		{
			ObjectMeta: metav1.ObjectMeta{Namespace: "platform", Name: "default-deny-ingress"},
			Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}},
		},
		{
			ObjectMeta: metav1.ObjectMeta{Namespace: "platform", Name: "same-namespace"},
			Spec: networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{
				{From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}}}},
		},
		{
			ObjectMeta: metav1.ObjectMeta{Namespace: "platform", Name: "teams-to-trino"},
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "trino"}},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{
					From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{
						MatchExpressions: []metav1.LabelSelectorRequirement{
							{Key: "platform.io/team", Operator: metav1.LabelSelectorOpExists}}}}},
					Ports: []networkingv1.NetworkPolicyPort{{Port: &port}},
				}},
			},
		},
	}
}

func TestIsolatedPodsAdmitOnlyWhatTheirPoliciesAllow(t *testing.T) {
	pods := []*corev1.Pod{
		pod("platform", "trino", "10.244.0.10", map[string]string{"app": "trino"}),
		pod("platform", "opa", "10.244.0.11", map[string]string{"app": "opa"}),
		pod("team-a", "notebook", "10.244.0.20", nil),
		pod("outside", "rogue", "10.244.0.30", nil),
	}
	namespaces := []*corev1.Namespace{
		namespace("platform", nil), namespace("team-a", map[string]string{"platform.io/team": "a"}),
		namespace("outside", nil),
	}
	for _, port := range []intstr.IntOrString{intstr.FromInt32(8443), intstr.FromString("https")} {
		rules := ingressRules(pods, namespaces, platformPolicies(port), []string{"10.244.0.1", "172.31.214.5"})
		for _, want := range []string{
			"-A PLATFORM-INGRESS -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN\n",
			// The node: the kubelet's probes.
			"-A PLATFORM-INGRESS -s 10.244.0.1/32 -j RETURN\n",
			"-A PLATFORM-INGRESS -s 172.31.214.5/32 -j RETURN\n",
			// Trino: its namespace on every port, the team's pods on 8443 only.
			`-A PLATFORM-INGRESS -d 10.244.0.10/32 -s 10.244.0.11/32 -m comment --comment "platform/trino" -j RETURN`,
			`-A PLATFORM-INGRESS -d 10.244.0.10/32 -s 10.244.0.20/32 -p tcp --dport 8443 -m comment --comment "platform/trino" -j RETURN`,
			`-A PLATFORM-INGRESS -d 10.244.0.10/32 -m comment --comment "platform/trino" -j DROP`,
			// OPA: its namespace only.
			`-A PLATFORM-INGRESS -d 10.244.0.11/32 -s 10.244.0.10/32 -m comment --comment "platform/opa" -j RETURN`,
			`-A PLATFORM-INGRESS -d 10.244.0.11/32 -m comment --comment "platform/opa" -j DROP`,
		} {
			if !strings.Contains(rules, want) {
				t.Errorf("port %v: missing %q in\n%s", port.String(), want, rules)
			}
		}
		for _, unwanted := range []string{"-s 10.244.0.30/32", "-d 10.244.0.20/32", "-d 10.244.0.30/32",
			"-d 10.244.0.11/32 -s 10.244.0.20/32"} {
			if strings.Contains(rules, unwanted) {
				t.Errorf("port %v: %q should not be in\n%s", port.String(), unwanted, rules)
			}
		}
		if !strings.HasPrefix(rules, "*mangle\n:PLATFORM-INGRESS - [0:0]\n") || !strings.HasSuffix(rules, "COMMIT\n") {
			t.Errorf("not an iptables-restore transaction for the chain:\n%s", rules)
		}
	}
}

func TestAPodNoPolicySelectsIsOpenAndFinishedPodsAreIgnored(t *testing.T) {
	done := pod("platform", "job", "10.244.0.12", nil)
	done.Status.Phase = corev1.PodSucceeded
	egressOnly := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "egress"},
		Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}},
	}
	rules := ingressRules([]*corev1.Pod{pod("team-a", "open", "10.244.0.20", nil), done},
		[]*corev1.Namespace{namespace("team-a", nil)},
		append(platformPolicies(intstr.FromInt32(8443)), egressOnly), nil)
	if strings.Contains(rules, "10.244.0.20") || strings.Contains(rules, "10.244.0.12") {
		t.Errorf("no rule expected for an unselected or finished pod:\n%s", rules)
	}
}

func TestTheRulesAreTheSameWhateverTheOrderOfTheObjects(t *testing.T) {
	a := pod("platform", "a", "10.244.0.2", nil)
	b := pod("platform", "b", "10.244.0.3", nil)
	policies := platformPolicies(intstr.FromInt32(8443))
	reversed := []*networkingv1.NetworkPolicy{policies[2], policies[1], policies[0]}
	namespaces := []*corev1.Namespace{namespace("platform", nil)}
	if ingressRules([]*corev1.Pod{a, b}, namespaces, policies, nil) !=
		ingressRules([]*corev1.Pod{b, a}, namespaces, reversed, nil) {
		t.Error("the rules depend on the order the informers list objects in (they would be re-applied for nothing)")
	}
}
