package main

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// The local-path provisioner image the node carries (-X main.localPathImage).
var localPathImage = "docker.io/platform/local-path-provisioner:unknown"

// volumesDirectory holds the provisioned volumes (one directory per claim); the fixture makes it a volume of its own.
const volumesDirectory = "/var/lib/platform-node/volumes"

// applyStorage runs the local-path provisioner (provisioner name rancher.io/local-path, which the platform's dev
// StorageClasses name) with its helper pods running our static helper instead of a shell script. No StorageClass:
// the platform's tree brings its own (ssd, standard). Objects that exist are left as they are.
func applyStorage(ctx context.Context, client *kubernetes.Clientset) error {
	const namespace, name = "local-path-storage", "local-path-provisioner"
	labels := map[string]string{"app": name}
	config, err := json.Marshal(map[string]interface{}{
		"nodePathMap":     []interface{}{map[string]interface{}{"node": "DEFAULT_PATH_FOR_NON_LISTED_NODES", "paths": []string{volumesDirectory}}},
		"setupCommand":    "/local-path-helper",
		"teardownCommand": "/local-path-helper",
	})
	if err != nil {
		return err
	}
	// Root in the helper pod: it makes and removes directories under the node's root-owned volumes directory.
	helperPod := `apiVersion: v1
kind: Pod
metadata:
  name: helper-pod
spec:
  priorityClassName: system-node-critical
  securityContext:
    runAsUser: 0
    runAsGroup: 0
  containers:
    - name: helper-pod
      image: ` + localPathImage + `
      imagePullPolicy: Never
`
	nonRoot := true
	noEscalation := false
	objects := []func() error{
		func() error {
			_, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.CoreV1().ServiceAccounts(namespace).Create(ctx, &corev1.ServiceAccount{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.RbacV1().Roles(namespace).Create(ctx, &rbacv1.Role{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"},
					Verbs: []string{"get", "list", "watch", "create", "patch", "update", "delete"}}},
			}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.RbacV1().RoleBindings(namespace).Create(ctx, &rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: name},
				Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: namespace}},
			}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
				ObjectMeta: metav1.ObjectMeta{Name: "platform:" + name},
				Rules: []rbacv1.PolicyRule{
					{APIGroups: []string{""}, Resources: []string{"nodes", "persistentvolumeclaims", "configmaps", "pods", "pods/log"},
						Verbs: []string{"get", "list", "watch"}},
					{APIGroups: []string{""}, Resources: []string{"persistentvolumes"},
						Verbs: []string{"get", "list", "watch", "create", "patch", "update", "delete"}},
					{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
					{APIGroups: []string{"storage.k8s.io"}, Resources: []string{"storageclasses"}, Verbs: []string{"get", "list", "watch"}},
				},
			}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "platform:" + name},
				RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "platform:" + name},
				Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: namespace}},
			}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.CoreV1().ConfigMaps(namespace).Create(ctx, &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: "local-path-config", Namespace: namespace},
				Data:       map[string]string{"config.json": string(config), "helperPod.yaml": helperPod},
			}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.AppsV1().Deployments(namespace).Create(ctx, addonDeployment(namespace, name, labels, corev1.PodSpec{
				ServiceAccountName: name,
				PriorityClassName:  "system-cluster-critical",
				Containers: []corev1.Container{{
					Name:            name,
					Image:           localPathImage,
					ImagePullPolicy: corev1.PullNever,
					Args: []string{"start", "--config", "/etc/config/config.json",
						"--service-account-name", name, "--configmap-name", "local-path-config",
						"--helper-image", localPathImage},
					Env: []corev1.EnvVar{
						{Name: "POD_NAMESPACE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
						{Name: "CONFIG_MOUNT_PATH", Value: "/etc/config/"},
					},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("32Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")},
					},
					SecurityContext: &corev1.SecurityContext{RunAsNonRoot: &nonRoot, AllowPrivilegeEscalation: &noEscalation,
						Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
					VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/config", ReadOnly: true}},
				}},
				Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{
					ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "local-path-config"}}}}},
			}), metav1.CreateOptions{})
			return err
		},
	}
	return createAll(objects)
}

// storageReady: the provisioner's pod is available (it claims volumes from then on).
func storageReady() error {
	client, err := adminClient()
	if err != nil {
		return err
	}
	deployment, err := client.AppsV1().Deployments("local-path-storage").Get(context.Background(), "local-path-provisioner", metav1.GetOptions{})
	if err != nil {
		return err
	}
	if deployment.Status.AvailableReplicas < 1 {
		return fmt.Errorf("local-path-provisioner not available yet")
	}
	return nil
}
