package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func trinoDeployment(memoryLimit string) string {
	return `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: trino-coordinator
spec:
  selector: {matchLabels: {app: trino}}
  template:
    metadata: {labels: {app: trino}}
    spec:
      containers:
        - name: trino
          image: platform/trino:476-1
          resources: {limits: {memory: ` + memoryLimit + `}}
          volumeMounts: [{name: etc, mountPath: /etc/trino}]
      volumes:
        - name: etc
          configMap: {name: trino-etc}
`
}

func trinoProblems(t *testing.T, memoryLimit, perNode string) []string {
	t.Helper()
	directory := writeKustomization(t, filepath.Join(t.TempDir(), "apps/trino/overlays/dev"), "platform", map[string]string{
		"deployment.yaml": trinoDeployment(memoryLimit),
		"etc.yaml": `
apiVersion: v1
kind: ConfigMap
metadata:
  name: trino-etc
data:
  config.properties: |
    query.max-memory=8GB
    query.max-memory-per-node=` + perNode + "\n",
	})
	objects, err := render(directory)
	if err != nil {
		t.Fatal(err)
	}
	return checkTrinoMemory("apps/trino/overlays/dev", objects)
}

// What the development cluster found: 3Gi gives a 2.25 GiB heap, and 2GB per node plus 30 % headroom is more.
func TestTrinoQueryMemoryMustFitTheHeapOfItsMemoryLimit(t *testing.T) {
	problems := trinoProblems(t, "3Gi", "2GB")
	if len(problems) != 1 || !strings.Contains(problems[0], "query.max-memory-per-node=2GB and 30 % headroom do not "+
		"fit the 2.25 GiB heap a 3Gi memory limit gives (75 %): Trino refuses to start; at most 1.57 GiB per node") {
		t.Fatalf("got %v", problems)
	}
	if problems := trinoProblems(t, "3Gi", "1GB"); len(problems) != 0 {
		t.Fatalf("1GB in 3Gi: %v", problems)
	}
	if problems := trinoProblems(t, "8Gi", "2GB"); len(problems) != 0 {
		t.Fatalf("2GB in 8Gi: %v", problems)
	}
	if problems := trinoProblems(t, "8Gi", "two gigabytes"); len(problems) != 1 || !strings.Contains(problems[0], "is not a data size") {
		t.Fatalf("got %v", problems)
	}
}
