package main

import (
	"fmt"
	"regexp"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
)

// The API groups the platform's manifests may use; anything else is reported as an unknown kind.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		admissionregistrationv1.AddToScheme, corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, rbacv1.AddToScheme,
		networkingv1.AddToScheme, policyv1.AddToScheme, storagev1.AddToScheme, autoscalingv2.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

var strict = json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme,
	json.SerializerOptions{Yaml: true, Strict: true})

// A tag the reactor derives from version properties and platform.revision (e.g. 476-1, 3.4.3-1, trixie-1,
// 3.3.2-spark4.1.1-1), which a release never moves, optionally with the digest a publish pinned; or a digest alone.
var pinnedImage = regexp.MustCompile(`^(?:[a-z0-9.-]+(?::[0-9]+)?/)*platform/[a-z0-9-]+` +
	`(?::[0-9A-Za-z][0-9A-Za-z._-]*-[0-9]+(?:@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})$`)

// check returns the problems of one rendered object.
func check(o object, kustomization string) []string {
	if strings.HasPrefix(o.apiVersion(), "argoproj.io/") {
		return checkArgoCD(o, kustomization)
	}
	decoded, _, err := strict.Decode(o.yaml, nil, nil)
	if err != nil {
		switch {
		case runtime.IsNotRegisteredError(err):
			return []string{fmt.Sprintf("unknown kind %s %s (not in the Kubernetes API types the platform uses)", o.apiVersion(), o.kind())}
		default:
			return []string{"does not match the Kubernetes API schema: " + err.Error()}
		}
	}
	var problems []string
	for _, volume := range podVolumes(decoded) {
		if volume.Secret == nil {
			continue
		}
		mode := int32(0o644) // the API server's default for a Secret volume
		if volume.Secret.DefaultMode != nil {
			mode = *volume.Secret.DefaultMode
		}
		if mode&0o377 != 0 {
			problems = append(problems, fmt.Sprintf("volume %s: Secret %s is mounted with mode %04o: keytabs, keystores "+
				"and passwords are mounted 0400 (defaultMode: 256; the pod's fsGroup grants its group read)",
				volume.Name, volume.Secret.SecretName, mode))
		}
	}
	for _, container := range containers(decoded) {
		if !pinnedImage.MatchString(container.Image) {
			problems = append(problems, fmt.Sprintf("container %s: image %q is not pinned: use a platform image "+
				"with the reactor's <version>-<revision> tag (and digest after a publish), never latest or a bare name",
				container.Name, container.Image))
		}
	}
	return problems
}

func podVolumes(decoded runtime.Object) []corev1.Volume {
	if spec := podSpec(decoded); spec != nil {
		return spec.Volumes
	}
	return nil
}

func containers(decoded runtime.Object) []corev1.Container {
	spec := podSpec(decoded)
	if spec == nil {
		return nil
	}
	return append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
}

func podSpec(decoded runtime.Object) *corev1.PodSpec {
	var spec *corev1.PodSpec
	switch typed := decoded.(type) {
	case *corev1.Pod:
		spec = &typed.Spec
	case *appsv1.Deployment:
		spec = &typed.Spec.Template.Spec
	case *appsv1.StatefulSet:
		spec = &typed.Spec.Template.Spec
	case *appsv1.DaemonSet:
		spec = &typed.Spec.Template.Spec
	case *appsv1.ReplicaSet:
		spec = &typed.Spec.Template.Spec
	case *batchv1.Job:
		spec = &typed.Spec.Template.Spec
	case *batchv1.CronJob:
		spec = &typed.Spec.JobTemplate.Spec.Template.Spec
	case *corev1.PodTemplate:
		spec = &typed.Template.Spec
	default:
		return nil
	}
	return spec
}
