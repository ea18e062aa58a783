package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tree itself, dev: the ApplicationSets generate one foundation per team file, with the team's numbers patched
// in (templatePatch → the source's kustomize patches → the kustomization), charts are reported, not rendered.
func TestTheDevEnvironmentRendersAsArgoCDWouldDeployIt(t *testing.T) {
	apps, err := applications("..", "dev", "https://git.operator.example/data-platform/platform.git")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]syncedApplication{}
	var order []string
	for _, app := range apps {
		byName[app.Name] = app
		order = append(order, app.Name)
	}
	if got := strings.Join(order, " "); !strings.HasPrefix(got, "shared keycloak opa postgresql jupyterhub spark trino ") {
		t.Errorf("not in sync-wave order: %s", got)
	}
	foundation, ok := byName["data-engineering-foundation"]
	if !ok {
		t.Fatalf("no foundation for the data-engineering team: %v", order)
	}
	if foundation.Namespace != "team-data-engineering" || !foundation.CreateNamespace || !foundation.Prune ||
		foundation.NamespaceLabels["platform.io/team"] != "data-engineering" || foundation.Wave != 5 {
		t.Errorf("foundation: %+v", foundation)
	}
	var quota, binding map[string]interface{}
	for _, object := range foundation.Objects {
		switch object["kind"] {
		case "ResourceQuota":
			quota = object
		case "RoleBinding":
			binding = object
		}
	}
	hard := asMap(asMap(quota["spec"])["hard"])
	if hard["requests.cpu"] != "16" || hard["limits.memory"] != "64Gi" || hard["pods"] != "100" {
		t.Errorf("quota not patched from the team file: %v", hard)
	}
	if subject := asMap(asList(binding["subjects"])[0]); subject["namespace"] != "team-data-engineering" {
		t.Errorf("role binding subject: %v", subject)
	}
	// The team's Airflow: our base with the team file's airflow section patched in.
	airflow := byName["data-engineering-airflow"]
	if airflow.Skipped != "" || airflow.Wave != 10 || airflow.Namespace != "team-data-engineering" {
		t.Fatalf("airflow: %+v", airflow)
	}
	var config, logs map[string]interface{}
	for _, object := range airflow.Objects {
		switch name, _ := asMap(object["metadata"])["name"].(string); {
		case object["kind"] == "ConfigMap" && strings.HasPrefix(name, "airflow-config-"):
			// Generated: its name carries a hash of its content, so a change of the team's values rolls its pods.
			config = asMap(object["data"])
		case object["kind"] == "PersistentVolumeClaim":
			logs = object
		}
	}
	bundles := config["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"].(string)
	var parsed []map[string]interface{}
	if err := json.Unmarshal([]byte(bundles), &parsed); err != nil || len(parsed) != 1 {
		t.Fatalf("bundle list %q: %v", bundles, err)
	}
	kwargs := asMap(parsed[0]["kwargs"])
	if kwargs["repo_url"] != "https://git.operator.example/data-engineering/dags.git" || kwargs["tracking_ref"] != "main" ||
		kwargs["subdir"] != "dags" {
		t.Errorf("bundle not patched from the team file: %v", parsed)
	}
	if config["AIRFLOW_DATABASE_NAME"] != "airflow_data_engineering" || config["KERBEROS_PRINCIPAL"] != "etl" {
		t.Errorf("database or principal not patched from the team file: %v", config)
	}
	if storage := asMap(asMap(asMap(logs["spec"])["resources"])["requests"])["storage"]; storage != "20Gi" {
		t.Errorf("log volume: %v", storage)
	}
}

// treeWithApplicationSet writes a tree whose dev environment holds one ApplicationSet, and returns its argocd directory.
func treeWithApplicationSet(t *testing.T, applicationSet string) string {
	t.Helper()
	argocd := filepath.Join(t.TempDir(), "argocd")
	writeKustomization(t, filepath.Join(argocd, "environments", "dev"), "", map[string]string{"set.yaml": applicationSet})
	return argocd
}

func TestAnApplicationSetReadingAnotherRepositoryIsRefused(t *testing.T) {
	argocd := treeWithApplicationSet(t, `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: elsewhere
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: https://example.com/other.git
        revision: main
        files:
          - path: teams/*.yaml
  template:
    metadata:
      name: "{{.team}}"
    spec:
      project: platform
      destination: {server: https://kubernetes.default.svc, namespace: x}
      source: {repoURL: https://example.com/other.git, targetRevision: main, path: x}
`)
	_, err := applications(argocd, "dev", "https://git.operator.example/data-platform/platform.git")
	if err == nil || !strings.Contains(err.Error(), "ApplicationSet elsewhere: git generator reads https://example.com/other.git") {
		t.Fatalf("got %v", err)
	}
}

func TestTemplateErrorsNameTheApplicationSet(t *testing.T) {
	argocd := treeWithApplicationSet(t, `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: typo
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - list:
        elements:
          - component: a
  template:
    metadata:
      name: "{{.componnet}}"
    spec:
      project: platform
      destination: {server: https://kubernetes.default.svc, namespace: x}
      source: {repoURL: r, targetRevision: main, path: x}
`)
	if err := os.MkdirAll(filepath.Join(argocd, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := applications(argocd, "dev", "r")
	if err == nil || !strings.Contains(err.Error(), "ApplicationSet typo") || !strings.Contains(err.Error(), "componnet") {
		t.Fatalf("got %v", err)
	}
}

func TestImageEntriesAreWhatKustomizeEditSetImageWrites(t *testing.T) {
	cases := map[string]map[string]interface{}{
		"platform/trino:476-2":                {"name": "platform/trino", "newTag": "476-2"},
		"platform/trino=registry/trino:476-2": {"name": "platform/trino", "newName": "registry/trino", "newTag": "476-2"},
		"platform/trino@sha256:abc":           {"name": "platform/trino", "digest": "sha256:abc"},
	}
	for image, expected := range cases {
		got := imageEntry(image)
		if len(got) != len(expected) {
			t.Errorf("%s: %v", image, got)
		}
		for key, value := range expected {
			if got[key] != value {
				t.Errorf("%s: %s = %v, want %v", image, key, got[key], value)
			}
		}
	}
}

// The development identity provider is dev's alone: production points the platform at the corporate IdP.
func TestOnlyDevDeploysTheDevelopmentIdentityProvider(t *testing.T) {
	for environment, want := range map[string]bool{"dev": true, "prod": false} {
		apps, err := applications("..", environment, "https://git.operator.example/data-platform/platform.git")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, app := range apps {
			if app.Name == "keycloak" {
				found = true
				if app.Wave != -5 || app.Namespace != "platform" {
					t.Errorf("keycloak: %+v", app)
				}
			}
		}
		if found != want {
			t.Errorf("%s deploys keycloak: %v, want %v", environment, found, want)
		}
	}
}
