package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
)

// What the API server's admission would do with the workloads of one environment, checked offline until a real
// cluster applies them: the LimitRange of each namespace fills in missing requests and limits (as the LimitRanger
// plugin does), every container must then request no more than its limit, and the pods of all replicas together
// must fit the namespace's ResourceQuota (as the ResourceQuota plugin demands). Objects of one namespace come from
// several kustomizations (the quota from apps/shared, the pods from apps/trino, ...): they are grouped by
// environment, i.e. `apps/<app>/base` or `apps/<app>/overlays/<environment>`.

// environmentOf names the environment a kustomization belongs to ("base", "dev", "prod"), or "" when it holds no
// workloads of an environment (bootstrap, environments, components).
var applicationKustomization = regexp.MustCompile(`^apps/[^/]+/(base|overlays/([^/]+))$`)

func environmentOf(kustomization string) string {
	match := applicationKustomization.FindStringSubmatch(filepath.ToSlash(kustomization))
	switch {
	case match == nil:
		return ""
	case match[2] != "":
		return match[2]
	default:
		return "base"
	}
}

// workload is a pod template with the number of pods admission will see and where it came from.
type workload struct {
	source   string
	kind     string
	name     string
	replicas int64
	spec     corev1.PodSpec
}

type namespaceObjects struct {
	limitRanges []*corev1.LimitRange
	quotas      []*corev1.ResourceQuota
	workloads   []workload
}

// admission collects the objects of every kustomization and reports, per environment and namespace, what
// admission would reject.
type admission struct {
	environments map[string]map[string]*namespaceObjects
}

func newAdmission() *admission {
	return &admission{environments: map[string]map[string]*namespaceObjects{}}
}

func (a *admission) add(kustomization string, objects []object) {
	environment := environmentOf(kustomization)
	if environment == "" {
		return
	}
	for _, o := range objects {
		if strings.HasPrefix(o.apiVersion(), "argoproj.io/") {
			continue
		}
		decoded, _, err := strict.Decode(o.yaml, nil, nil)
		if err != nil {
			continue // reported by check
		}
		namespace := namespaceOf(o)
		if namespace == "" {
			continue
		}
		if a.environments[environment] == nil {
			a.environments[environment] = map[string]*namespaceObjects{}
		}
		objects := a.environments[environment][namespace]
		if objects == nil {
			objects = &namespaceObjects{}
			a.environments[environment][namespace] = objects
		}
		switch typed := decoded.(type) {
		case *corev1.LimitRange:
			objects.limitRanges = append(objects.limitRanges, typed)
		case *corev1.ResourceQuota:
			objects.quotas = append(objects.quotas, typed)
		default:
			if w, ok := workloadOf(decoded); ok {
				w.source = kustomization
				objects.workloads = append(objects.workloads, w)
			}
		}
	}
}

func namespaceOf(o object) string {
	metadata, _ := o.fields["metadata"].(map[string]interface{})
	namespace, _ := metadata["namespace"].(string)
	return namespace
}

func workloadOf(decoded runtime.Object) (workload, bool) {
	replicas := func(value *int32) int64 {
		if value == nil {
			return 1
		}
		return int64(*value)
	}
	switch typed := decoded.(type) {
	case *corev1.Pod:
		return workload{kind: "Pod", name: typed.Name, replicas: 1, spec: typed.Spec}, true
	case *appsv1.Deployment:
		return workload{kind: "Deployment", name: typed.Name, replicas: replicas(typed.Spec.Replicas), spec: typed.Spec.Template.Spec}, true
	case *appsv1.StatefulSet:
		return workload{kind: "StatefulSet", name: typed.Name, replicas: replicas(typed.Spec.Replicas), spec: typed.Spec.Template.Spec}, true
	case *appsv1.ReplicaSet:
		return workload{kind: "ReplicaSet", name: typed.Name, replicas: replicas(typed.Spec.Replicas), spec: typed.Spec.Template.Spec}, true
	case *batchv1.Job:
		return workload{kind: "Job", name: typed.Name, replicas: replicas(typed.Spec.Parallelism), spec: typed.Spec.Template.Spec}, true
	case *batchv1.CronJob:
		return workload{kind: "CronJob", name: typed.Name, replicas: replicas(typed.Spec.JobTemplate.Spec.Parallelism), spec: typed.Spec.JobTemplate.Spec.Template.Spec}, true
	}
	return workload{}, false
}

// problems returns one line per rejection, naming environment, namespace, workload and container.
func (a *admission) problems() []string {
	var problems []string
	for _, environment := range sortedKeys(a.environments) {
		for _, namespace := range sortedKeys(a.environments[environment]) {
			objects := a.environments[environment][namespace]
			where := fmt.Sprintf("%s: namespace %s", environment, namespace)
			total := corev1.ResourceList{}
			var counted []string
			for _, w := range objects.workloads {
				pod := corev1.ResourceList{}
				initPod := corev1.ResourceList{}
				for i, container := range append(append([]corev1.Container{}, w.spec.InitContainers...), w.spec.Containers...) {
					effective := withLimitRangeDefaults(container.Resources, objects.limitRanges)
					for _, problem := range requestsAboveLimits(effective) {
						problems = append(problems, fmt.Sprintf("%s: %s %s (%s) container %s: %s", where, w.kind, w.name,
							w.source, container.Name, problem))
					}
					for _, problem := range outsideLimitRange(effective, objects.limitRanges) {
						problems = append(problems, fmt.Sprintf("%s: %s %s (%s) container %s: %s", where, w.kind, w.name,
							w.source, container.Name, problem))
					}
					if i < len(w.spec.InitContainers) {
						maximum(initPod, quotaUsage(effective))
					} else {
						add(pod, quotaUsage(effective))
					}
				}
				maximum(pod, initPod)
				for name, quantity := range pod {
					perPod := quantity.DeepCopy()
					times := resource.NewQuantity(0, quantity.Format)
					for i := int64(0); i < w.replicas; i++ {
						times.Add(perPod)
					}
					add(total, corev1.ResourceList{name: *times})
				}
				counted = append(counted, fmt.Sprintf("%s %s ×%d", w.kind, w.name, w.replicas))
			}
			for _, quota := range objects.quotas {
				for _, name := range sortedResourceNames(quota.Spec.Hard) {
					hard := quota.Spec.Hard[name]
					used, ok := total[name]
					if ok && used.Cmp(hard) > 0 {
						problems = append(problems, fmt.Sprintf("%s: the pods need %s %s in all, above ResourceQuota %s's %s (%s)",
							where, name, used.String(), quota.Name, hard.String(), strings.Join(counted, ", ")))
					}
				}
			}
		}
	}
	return problems
}

// withLimitRangeDefaults applies what the API server does to a container: a limit without a request makes the
// request equal the limit (defaulting), then the LimitRange's default limits and default requests fill the gaps.
func withLimitRangeDefaults(requirements corev1.ResourceRequirements, limitRanges []*corev1.LimitRange) corev1.ResourceRequirements {
	effective := corev1.ResourceRequirements{Requests: corev1.ResourceList{}, Limits: corev1.ResourceList{}}
	for name, quantity := range requirements.Limits {
		effective.Limits[name] = quantity.DeepCopy()
	}
	for name, quantity := range requirements.Requests {
		effective.Requests[name] = quantity.DeepCopy()
	}
	for name, quantity := range requirements.Limits {
		if _, ok := effective.Requests[name]; !ok {
			effective.Requests[name] = quantity.DeepCopy()
		}
	}
	for _, limitRange := range limitRanges {
		for _, item := range limitRange.Spec.Limits {
			if item.Type != corev1.LimitTypeContainer {
				continue
			}
			for name, quantity := range item.Default {
				if _, ok := effective.Limits[name]; !ok {
					effective.Limits[name] = quantity.DeepCopy()
				}
			}
			for name, quantity := range item.DefaultRequest {
				if _, ok := effective.Requests[name]; !ok {
					effective.Requests[name] = quantity.DeepCopy()
				}
			}
		}
	}
	return effective
}

func requestsAboveLimits(effective corev1.ResourceRequirements) []string {
	var problems []string
	for _, name := range sortedResourceNames(effective.Requests) {
		request := effective.Requests[name]
		limit, ok := effective.Limits[name]
		if ok && request.Cmp(limit) > 0 {
			problems = append(problems, fmt.Sprintf("requests %s %s above its limit %s (after the LimitRange's defaults): "+
				"admission rejects the pod; set the limit explicitly", name, request.String(), limit.String()))
		}
	}
	return problems
}

func outsideLimitRange(effective corev1.ResourceRequirements, limitRanges []*corev1.LimitRange) []string {
	var problems []string
	for _, limitRange := range limitRanges {
		for _, item := range limitRange.Spec.Limits {
			if item.Type != corev1.LimitTypeContainer {
				continue
			}
			for _, name := range sortedResourceNames(item.Max) {
				maximum := item.Max[name]
				if limit, ok := effective.Limits[name]; ok && limit.Cmp(maximum) > 0 {
					problems = append(problems, fmt.Sprintf("limit %s %s above LimitRange %s's maximum %s", name,
						limit.String(), limitRange.Name, maximum.String()))
				}
			}
			for _, name := range sortedResourceNames(item.Min) {
				minimum := item.Min[name]
				if request, ok := effective.Requests[name]; ok && request.Cmp(minimum) < 0 {
					problems = append(problems, fmt.Sprintf("request %s %s below LimitRange %s's minimum %s", name,
						request.String(), limitRange.Name, minimum.String()))
				}
			}
		}
	}
	return problems
}

// quotaUsage is what one container counts against a ResourceQuota: requests.* (and the bare names) and limits.*.
func quotaUsage(effective corev1.ResourceRequirements) corev1.ResourceList {
	usage := corev1.ResourceList{}
	for name, quantity := range effective.Requests {
		usage[corev1.ResourceName("requests."+string(name))] = quantity.DeepCopy()
		usage[name] = quantity.DeepCopy()
	}
	for name, quantity := range effective.Limits {
		usage[corev1.ResourceName("limits."+string(name))] = quantity.DeepCopy()
	}
	return usage
}

func add(total, more corev1.ResourceList) {
	for name, quantity := range more {
		sum := total[name]
		sum.Add(quantity)
		total[name] = sum
	}
}

func maximum(total, other corev1.ResourceList) {
	for name, quantity := range other {
		if current, ok := total[name]; !ok || quantity.Cmp(current) > 0 {
			total[name] = quantity.DeepCopy()
		}
	}
}

func sortedResourceNames(list corev1.ResourceList) []corev1.ResourceName {
	var names []corev1.ResourceName
	for name := range list {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}

func sortedKeys[V any](values map[string]V) []string {
	var keys []string
	for key := range values {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
