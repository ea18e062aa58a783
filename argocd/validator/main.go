// Command validate checks the Argo CD tree offline, as the build's last word before anything reaches a cluster:
//
//  1. every kustomization renders (kustomize as a library, at the version go.mod pins; no remote bases);
//  2. every rendered Kubernetes object decodes strictly into the API types of k8s.io/api (the types the API
//     server's OpenAPI schemas are generated from): an unknown field, a wrong type or an unknown kind is an error;
//  3. Argo CD objects (Application, ApplicationSet, AppProject) have what Argo CD needs: a project, a destination,
//     sources with a repository and a pinned revision (never HEAD; charts at an exact version);
//  4. what admission would do, per environment and namespace: containers whose requests exceed their limits once
//     the LimitRange's defaults apply, and pods whose replicas together exceed the ResourceQuota (admission.go);
//  5. Trino's query memory per node fits the heap its container's memory limit gives it (trino.go);
//  6. no container image is referenced by a mutable tag: an image names a tag the reactor derives from a version
//     property and the platform revision (`<version>-<revision>`), optionally with its digest, or only a digest.
//
// With -applications <environment>=<file>, instead writes what Argo CD would deploy in that environment (every
// Application, generated ones included, with its rendered objects, in sync-wave order: applications.go) as JSON.
//
// Usage: validate [-render <directory>] <argocd directory>. Prints one line per rendered kustomization and one per
// problem, each naming the file or object; exits 1 if there is any problem. With -render, also writes each
// kustomization's output to <directory>/<its path, '/' replaced by '_'>.yaml (for diffs between two trees).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

func main() {
	renderTo := flag.String("render", "", "also write each kustomization's rendered output to this directory")
	deployment := flag.String("applications", "", "<environment>=<file>: write that environment's Applications, rendered, as JSON")
	repository := flag.String("repository", "https://git.operator.example/data-platform/platform.git",
		"the URL the tree's Applications name this repository by")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: validate [-render <directory>] [-applications <environment>=<file>] <argocd directory>")
		os.Exit(2)
	}
	root := flag.Arg(0)
	if *deployment != "" {
		environment, file, found := strings.Cut(*deployment, "=")
		if !found {
			fmt.Fprintln(os.Stderr, "validate: -applications takes <environment>=<file>")
			os.Exit(2)
		}
		apps, err := applications(root, environment, *repository)
		if err == nil {
			err = writeApplications(file, apps)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "validate:", err)
			os.Exit(1)
		}
		for _, app := range apps {
			status := fmt.Sprintf("%d objects", len(app.Objects))
			if app.Skipped != "" {
				status = "skipped: " + app.Skipped
			}
			fmt.Printf("application %s (wave %d, %s): %s\n", app.Name, app.Wave, app.Namespace, status)
		}
		return
	}
	directories, err := kustomizations(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "validate:", err)
		os.Exit(2)
	}
	var problems []string
	objects := 0
	admitted := newAdmission()
	for _, directory := range directories {
		relative, _ := filepath.Rel(root, directory)
		rendered, err := render(directory)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: kustomize build failed: %v", relative, err))
			continue
		}
		for _, object := range rendered {
			for _, problem := range check(object, relative) {
				problems = append(problems, fmt.Sprintf("%s: %s %s: %s", relative, object.kind(), object.name(), problem))
			}
		}
		if *renderTo != "" {
			if err := writeRendered(*renderTo, relative, rendered); err != nil {
				fmt.Fprintln(os.Stderr, "validate:", err)
				os.Exit(2)
			}
		}
		problems = append(problems, checkTrinoMemory(relative, rendered)...)
		admitted.add(relative, rendered)
		objects += len(rendered)
		fmt.Printf("rendered %s: %d objects\n", relative, len(rendered))
	}
	problems = append(problems, admitted.problems()...)
	for _, problem := range problems {
		fmt.Fprintln(os.Stderr, "problem:", problem)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "validate: %d problem(s) in %d kustomizations\n", len(problems), len(directories))
		os.Exit(1)
	}
	fmt.Printf("validate: %d kustomizations, %d objects, no problems\n", len(directories), objects)
}

// component matches a kustomization.yaml that declares a Kustomize Component: it cannot be built on its own and is
// validated through every kustomization that includes it.
var component = regexp.MustCompile(`(?m)^kind:\s*Component\s*$`)

// kustomizations lists every directory below root that holds a kustomization.yaml (Components excluded), in a
// stable order.
func kustomizations(root string) ([]string, error) {
	var directories []string
	err := filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if entry.IsDir() && (entry.Name() == "validator" || entry.Name() == "target" || strings.HasPrefix(entry.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if !entry.IsDir() && entry.Name() == "kustomization.yaml" {
			content, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if !component.Match(content) {
				directories = append(directories, filepath.Dir(path))
			}
		}
		return nil
	})
	sort.Strings(directories)
	if err == nil && len(directories) == 0 {
		err = fmt.Errorf("no kustomization.yaml below %s", root)
	}
	return directories, err
}

func writeRendered(directory, kustomization string, rendered []object) error {
	if err := os.MkdirAll(directory, 0o755); err != nil {
		return err
	}
	var output bytes.Buffer
	for _, o := range rendered {
		output.WriteString("---\n")
		output.Write(o.yaml)
	}
	name := strings.ReplaceAll(kustomization, string(filepath.Separator), "_") + ".yaml"
	return os.WriteFile(filepath.Join(directory, name), output.Bytes(), 0o644)
}
