package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// admissionProblemsOf renders kustomizations (path -> files) of one tree and returns what admission would reject.
func admissionProblemsOf(t *testing.T, kustomizations map[string]map[string]string) []string {
	t.Helper()
	root := t.TempDir()
	checks := newAdmission()
	for kustomization, files := range kustomizations {
		directory := writeKustomization(t, filepath.Join(root, kustomization), "platform", files)
		objects, err := render(directory)
		if err != nil {
			t.Fatal(err)
		}
		checks.add(kustomization, objects)
	}
	return checks.problems()
}

const quotaAndLimits = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: platform-quota
spec:
  hard:
    requests.cpu: "96"
    limits.cpu: "160"
    requests.memory: 640Gi
---
apiVersion: v1
kind: LimitRange
metadata:
  name: platform-defaults
spec:
  limits:
    - type: Container
      defaultRequest:
        cpu: 250m
        memory: 512Mi
      default:
        cpu: "1"
        memory: 1Gi
      max:
        memory: 128Gi
`

const workers = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: trino-worker
spec:
  replicas: REPLICAS
  selector:
    matchLabels: {app: trino-worker}
  template:
    metadata:
      labels: {app: trino-worker}
    spec:
      containers:
        - name: trino
          image: platform/trino:476-1
          resources:
RESOURCES
`

func workersWith(replicas, resources string) string {
	return strings.Replace(strings.Replace(workers, "REPLICAS", replicas, 1), "RESOURCES", resources, 1)
}

// The prod Trino workers as they were: 14 CPUs requested, no CPU limit, eight of them.
const oldProdWorker = `            requests:
              cpu: "14"
              memory: 96Gi
            limits:
              memory: 96Gi`

func TestRequestAboveTheDefaultLimitIsRejected(t *testing.T) {
	problems := admissionProblemsOf(t, map[string]map[string]string{
		"apps/shared/overlays/prod": {"quota.yaml": quotaAndLimits},
		"apps/trino/overlays/prod":  {"workers.yaml": workersWith("1", oldProdWorker)},
	})
	expectProblem(t, problems, "prod: namespace platform: Deployment trino-worker (apps/trino/overlays/prod) container trino",
		"requests cpu 14 above its limit 1 (after the LimitRange's defaults)")
}

func TestReplicasBeyondTheQuotaAreRejected(t *testing.T) {
	problems := admissionProblemsOf(t, map[string]map[string]string{
		"apps/shared/overlays/prod": {"quota.yaml": quotaAndLimits},
		"apps/trino/overlays/prod":  {"workers.yaml": workersWith("8", oldProdWorker)},
	})
	expectProblem(t, problems, "prod: namespace platform: the pods need requests.cpu 112 in all, above ResourceQuota platform-quota's 96",
		"Deployment trino-worker ×8")
	expectProblem(t, problems, "requests.memory 768Gi in all, above ResourceQuota platform-quota's 640Gi")
}

func TestLimitRangeMaximumIsEnforced(t *testing.T) {
	problems := admissionProblemsOf(t, map[string]map[string]string{
		"apps/shared/base": {"quota.yaml": quotaAndLimits},
		"apps/trino/base": {"workers.yaml": workersWith("1", `            requests:
              cpu: "1"
              memory: 200Gi
            limits:
              cpu: "2"
              memory: 200Gi`)},
	})
	expectProblem(t, problems, "base: namespace platform", "limit memory 200Gi above LimitRange platform-defaults's maximum 128Gi")
}

func TestWorkloadsThatFitAreAdmitted(t *testing.T) {
	problems := admissionProblemsOf(t, map[string]map[string]string{
		"apps/shared/overlays/prod": {"quota.yaml": quotaAndLimits},
		"apps/trino/overlays/prod": {"workers.yaml": workersWith("8", `            requests:
              cpu: "10"
              memory: 64Gi
            limits:
              cpu: "14"
              memory: 64Gi`)},
		// Another environment's quota does not count against prod's pods.
		"apps/shared/overlays/dev": {"quota.yaml": strings.Replace(quotaAndLimits, `"96"`, `"1"`, 1)},
	})
	if len(problems) > 0 {
		t.Fatalf("unexpected problems %q", problems)
	}
}

func TestOnlyApplicationKustomizationsHaveAnEnvironment(t *testing.T) {
	for kustomization, environment := range map[string]string{
		"apps/trino/base": "base", "apps/trino/overlays/prod": "prod", "apps/team/overlays/dev": "dev",
		"environments/dev": "", "bootstrap/base": "", "components/platform-clients/dev": "",
	} {
		if got := environmentOf(kustomization); got != environment {
			t.Errorf("%s: environment %q, want %q", kustomization, got, environment)
		}
	}
}
