package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// problemsOf renders a one-directory kustomization holding files and returns its problems.
func problemsOf(t *testing.T, kustomization string, files map[string]string) []string {
	t.Helper()
	directory := writeKustomization(t, filepath.Join(t.TempDir(), kustomization), "", files)
	objects, err := render(directory)
	if err != nil {
		return []string{"render: " + err.Error()}
	}
	var problems []string
	for _, o := range objects {
		problems = append(problems, check(o, kustomization)...)
	}
	return problems
}

// writeKustomization writes files and a kustomization.yaml listing them (in namespace, if not empty) to directory.
func writeKustomization(t *testing.T, directory, namespace string, files map[string]string) string {
	t.Helper()
	if err := os.MkdirAll(directory, 0o755); err != nil {
		t.Fatal(err)
	}
	var resources []string
	for name, content := range files {
		resources = append(resources, "  - "+name)
		if err := os.WriteFile(filepath.Join(directory, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
	if namespace != "" {
		manifest += "namespace: " + namespace + "\n"
	}
	manifest += "resources:\n" + strings.Join(resources, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(directory, "kustomization.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return directory
}

func expectProblem(t *testing.T, problems []string, fragments ...string) {
	t.Helper()
	for _, problem := range problems {
		matches := true
		for _, fragment := range fragments {
			matches = matches && strings.Contains(problem, fragment)
		}
		if matches {
			return
		}
	}
	t.Fatalf("no problem containing %q in %q", fragments, problems)
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: IMAGE
`

func TestAPinnedDeploymentPasses(t *testing.T) {
	for _, image := range []string{"platform/trino:476-1", "registry.example:5000/platform/trino:476-1@sha256:" + strings.Repeat("a", 64),
		"platform/base-os:trixie-12", "platform/trino@sha256:" + strings.Repeat("0", 64)} {
		if problems := problemsOf(t, "apps/web/base", map[string]string{"web.yaml": strings.Replace(deployment, "IMAGE", image, 1)}); len(problems) > 0 {
			t.Fatalf("%s: unexpected problems %q", image, problems)
		}
	}
}

func TestMutableImagesAreRejected(t *testing.T) {
	for _, image := range []string{"platform/trino", "platform/trino:latest", "platform/trino:476", "nginx:1.27-1", "docker.io/library/busybox:1.36"} {
		problems := problemsOf(t, "apps/web/base", map[string]string{"web.yaml": strings.Replace(deployment, "IMAGE", image, 1)})
		expectProblem(t, problems, "container web", image, "is not pinned")
	}
}

func TestObjectsAreCheckedAgainstTheApiSchema(t *testing.T) {
	typo := strings.Replace(deployment, "IMAGE", "platform/trino:476-1", 1) + "          imagePullPolcy: Always\n"
	expectProblem(t, problemsOf(t, "apps/web/base", map[string]string{"web.yaml": typo}),
		"does not match the Kubernetes API schema", `unknown field "spec.template.spec.containers[0].imagePullPolcy"`)

	wrongType := `apiVersion: v1
kind: ResourceQuota
metadata:
  name: quota
spec:
  hard: [1, 2]
`
	expectProblem(t, problemsOf(t, "apps/web/base", map[string]string{"quota.yaml": wrongType}), "does not match the Kubernetes API schema")

	unknownKind := `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
`
	expectProblem(t, problemsOf(t, "apps/web/base", map[string]string{"widget.yaml": unknownKind}), "unknown kind example.com/v1 Widget")
}

const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: app
  annotations:
    argocd.argoproj.io/sync-wave: "0"
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: platform
  destination:
    server: https://kubernetes.default.svc
    namespace: platform
  source:
    repoURL: https://git.example/platform.git
    targetRevision: REVISION
    path: argocd/apps/web/overlays/dev
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
`

func TestApplicationsArePinnedAndComplete(t *testing.T) {
	if problems := problemsOf(t, "environments/dev", map[string]string{"app.yaml": strings.Replace(application, "REVISION", "main", 1)}); len(problems) > 0 {
		t.Fatalf("unexpected problems %q", problems)
	}
	expectProblem(t, problemsOf(t, "environments/dev", map[string]string{"app.yaml": strings.Replace(application, "REVISION", "HEAD", 1)}),
		`targetRevision "HEAD" is not pinned`)
	expectProblem(t, problemsOf(t, "environments/prod", map[string]string{"app.yaml": strings.Replace(application, "REVISION", "main", 1)}),
		`production tracks a release tag or a commit, not "main"`)
	if problems := problemsOf(t, "environments/prod", map[string]string{"app.yaml": strings.Replace(application, "REVISION", "release-1.2.0", 1)}); len(problems) > 0 {
		t.Fatalf("unexpected problems %q", problems)
	}

	chart := strings.Replace(application, "    path: argocd/apps/web/overlays/dev\n", "    chart: airflow\n", 1)
	expectProblem(t, problemsOf(t, "environments/dev", map[string]string{"app.yaml": strings.Replace(chart, "REVISION", "1.x", 1)}),
		"chart airflow at \"1.x\": charts are pinned to an exact version")

	incomplete := strings.NewReplacer("  project: platform\n", "", "    - resources-finalizer.argocd.argoproj.io\n", "    - other\n",
		"      selfHeal: true\n", "", "REVISION", "main").Replace(application)
	problems := problemsOf(t, "environments/dev", map[string]string{"app.yaml": incomplete})
	expectProblem(t, problems, "spec.project must name")
	expectProblem(t, problems, "metadata.finalizers lacks resources-finalizer.argocd.argoproj.io")
	expectProblem(t, problems, "spec.syncPolicy.automated needs prune: true and selfHeal: true")
}

func TestProjectsDoNotAllowEverything(t *testing.T) {
	project := `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: open
spec:
  sourceRepos: ["*"]
  destinations:
    - server: "*"
      namespace: "*"
`
	problems := problemsOf(t, "projects", map[string]string{"project.yaml": project})
	expectProblem(t, problems, "spec.sourceRepos allows every repository (*)")
	expectProblem(t, problems, "a destination allows every namespace of every cluster")
}

func TestComponentsAreCheckedThroughTheirUsersOnly(t *testing.T) {
	root := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, path), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("components/settings/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"+
		"configMapGenerator:\n  - name: settings\n    behavior: merge\n    literals: [A=1]\n")
	write("app/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"+
		"configMapGenerator:\n  - name: settings\n    literals: [A=0]\ncomponents:\n  - ../components/settings\n")
	directories, err := kustomizations(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(directories) != 1 || filepath.Base(directories[0]) != "app" {
		t.Fatalf("expected only the app, got %q", directories)
	}
	objects, err := render(directories[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(objects) != 1 {
		t.Fatalf("expected the merged ConfigMap, got %d objects", len(objects))
	}
}

func TestSecretsAreMountedOwnerReadOnly(t *testing.T) {
	withVolume := func(mode string) string {
		return strings.Replace(deployment, "IMAGE", "platform/trino:476-1", 1) + `      volumes:
        - name: keytab
          secret:
            secretName: trino-keytab
` + mode
	}
	expectProblem(t, problemsOf(t, "apps/web/base", map[string]string{"web.yaml": withVolume("")}),
		"volume keytab: Secret trino-keytab is mounted with mode 0644")
	expectProblem(t, problemsOf(t, "apps/web/base", map[string]string{"web.yaml": withVolume("            defaultMode: 0440\n")}),
		"mounted with mode 0440")
	if problems := problemsOf(t, "apps/web/base", map[string]string{"web.yaml": withVolume("            defaultMode: 256\n")}); len(problems) > 0 {
		t.Fatalf("unexpected problems %q", problems)
	}
}
