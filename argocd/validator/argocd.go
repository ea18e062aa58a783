package main

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	exactChartVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
	// What a production source may track: a release tag or a commit, never a branch.
	releaseRevision = regexp.MustCompile(`^(v?[0-9]+\.[0-9]+\.[0-9]+|release-[0-9]+\.[0-9]+\.[0-9]+|[0-9a-f]{40})$`)
)

const resourcesFinalizer = "resources-finalizer.argocd.argoproj.io"

func checkArgoCD(o object, kustomization string) []string {
	production := strings.Contains("/"+kustomization+"/", "/prod/")
	spec, _ := o.fields["spec"].(map[string]interface{})
	switch o.kind() {
	case "Application":
		return checkApplication(o.fields, production)
	case "ApplicationSet":
		var problems []string
		if generators, _ := spec["generators"].([]interface{}); len(generators) == 0 {
			problems = append(problems, "no generators")
		}
		template, _ := spec["template"].(map[string]interface{})
		if template == nil {
			return append(problems, "no template")
		}
		for _, problem := range checkApplication(template, production) {
			problems = append(problems, "template: "+problem)
		}
		return problems
	case "AppProject":
		return checkProject(spec)
	default:
		return []string{fmt.Sprintf("unknown Argo CD kind %s", o.kind())}
	}
}

// checkApplication checks an Application, or an ApplicationSet's template (whose values may be {{templates}}).
func checkApplication(application map[string]interface{}, production bool) []string {
	var problems []string
	metadata, _ := application["metadata"].(map[string]interface{})
	spec, _ := application["spec"].(map[string]interface{})
	if spec == nil {
		return []string{"no spec"}
	}
	if project, _ := spec["project"].(string); project == "" || project == "default" {
		problems = append(problems, "spec.project must name the platform's or a team's AppProject, not default")
	}
	destination, _ := spec["destination"].(map[string]interface{})
	if destination == nil || (destination["server"] == nil && destination["name"] == nil) || destination["namespace"] == nil {
		problems = append(problems, "spec.destination needs a cluster (server or name) and a namespace")
	}
	var sources []interface{}
	if source, ok := spec["source"].(map[string]interface{}); ok {
		sources = append(sources, source)
	}
	if multiple, ok := spec["sources"].([]interface{}); ok {
		sources = append(sources, multiple...)
	}
	if len(sources) == 0 {
		problems = append(problems, "no source")
	}
	for i, entry := range sources {
		source, _ := entry.(map[string]interface{})
		repository, _ := source["repoURL"].(string)
		revision, _ := source["targetRevision"].(string)
		where := fmt.Sprintf("source %d (%s)", i, repository)
		switch {
		case repository == "":
			problems = append(problems, where+": no repoURL")
		case revision == "" || strings.EqualFold(revision, "HEAD") || strings.ContainsAny(revision, "*^~<>"):
			problems = append(problems, fmt.Sprintf("%s: targetRevision %q is not pinned", where, revision))
		case source["chart"] != nil && !exactChartVersion.MatchString(revision):
			problems = append(problems, fmt.Sprintf("%s: chart %v at %q: charts are pinned to an exact version", where, source["chart"], revision))
		case source["chart"] == nil && production && !releaseRevision.MatchString(revision):
			problems = append(problems, fmt.Sprintf("%s: production tracks a release tag or a commit, not %q", where, revision))
		}
	}
	finalizers, _ := metadata["finalizers"].([]interface{})
	found := false
	for _, finalizer := range finalizers {
		found = found || finalizer == resourcesFinalizer
	}
	if !found {
		problems = append(problems, "metadata.finalizers lacks "+resourcesFinalizer+" (deleting the app must delete what it deployed)")
	}
	syncPolicy, _ := spec["syncPolicy"].(map[string]interface{})
	automated, _ := syncPolicy["automated"].(map[string]interface{})
	if automated == nil || automated["prune"] != true || automated["selfHeal"] != true {
		problems = append(problems, "spec.syncPolicy.automated needs prune: true and selfHeal: true")
	}
	annotations, _ := metadata["annotations"].(map[string]interface{})
	if annotations["argocd.argoproj.io/sync-wave"] == nil {
		problems = append(problems, "no argocd.argoproj.io/sync-wave annotation (the order of the platform's apps is explicit)")
	}
	return problems
}

func checkProject(spec map[string]interface{}) []string {
	var problems []string
	repositories, _ := spec["sourceRepos"].([]interface{})
	if len(repositories) == 0 {
		problems = append(problems, "spec.sourceRepos is empty")
	}
	for _, repository := range repositories {
		if repository == "*" {
			problems = append(problems, "spec.sourceRepos allows every repository (*)")
		}
	}
	destinations, _ := spec["destinations"].([]interface{})
	if len(destinations) == 0 {
		problems = append(problems, "spec.destinations is empty")
	}
	for _, entry := range destinations {
		destination, _ := entry.(map[string]interface{})
		if destination["namespace"] == "*" && (destination["server"] == "*" || destination["name"] == "*") {
			problems = append(problems, "a destination allows every namespace of every cluster")
		}
	}
	return problems
}
