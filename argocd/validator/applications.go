package main

// What Argo CD would deploy for one environment: its Applications, the ApplicationSets' generated ones included,
// each with the objects its source renders to, in sync-wave order. The cluster side (server-side apply, pruning,
// health) is io.dataplatform.gitops.sync in Java; this file does what must match Argo CD's Go code exactly: the
// ApplicationSet generators and Go templates (text/template with Sprig, as the ApplicationSet controller renders
// them), templatePatch, and the kustomize build of a source with its `kustomize:` options written into the
// kustomization first (as the repo server does).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// syncedApplication is one Argo CD Application, resolved for a sync.
type syncedApplication struct {
	Name            string                   `json:"name"`
	Project         string                   `json:"project"`
	Wave            int                      `json:"wave"`
	Namespace       string                   `json:"namespace"`
	CreateNamespace bool                     `json:"createNamespace"`
	NamespaceLabels map[string]string        `json:"namespaceLabels,omitempty"`
	Prune           bool                     `json:"prune"`
	Path            string                   `json:"path,omitempty"`
	Skipped         string                   `json:"skipped,omitempty"`
	Objects         []map[string]interface{} `json:"objects"`
}

// applications renders the environment kustomization argocd/environments/<environment> and every Application it
// declares or generates. repository is the URL the tree names itself by; root is the checkout it stands for.
func applications(argocd, environment, repository string) ([]syncedApplication, error) {
	argocd, err := filepath.Abs(argocd)
	if err != nil {
		return nil, err
	}
	root := filepath.Dir(argocd)
	declared, err := render(filepath.Join(argocd, "environments", environment))
	if err != nil {
		return nil, fmt.Errorf("environments/%s: %w", environment, err)
	}
	var manifests []map[string]interface{}
	for _, o := range declared {
		switch o.kind() {
		case "Application":
			manifests = append(manifests, o.fields)
		case "ApplicationSet":
			generated, err := generate(o.fields, root, repository)
			if err != nil {
				return nil, fmt.Errorf("ApplicationSet %s: %w", o.name(), err)
			}
			manifests = append(manifests, generated...)
		}
	}
	var result []syncedApplication
	for _, manifest := range manifests {
		app, err := resolve(manifest, root, repository)
		if err != nil {
			return nil, fmt.Errorf("Application %s: %w", nameOf(manifest), err)
		}
		result = append(result, app)
	}
	sort.SliceStable(result, func(i, j int) bool {
		if result[i].Wave != result[j].Wave {
			return result[i].Wave < result[j].Wave
		}
		return result[i].Name < result[j].Name
	})
	return result, nil
}

func nameOf(manifest map[string]interface{}) string {
	metadata, _ := manifest["metadata"].(map[string]interface{})
	name, _ := metadata["name"].(string)
	return name
}

// --- ApplicationSet: generators, Go templates, templatePatch ---

func generate(applicationSet map[string]interface{}, root, repository string) ([]map[string]interface{}, error) {
	spec, _ := applicationSet["spec"].(map[string]interface{})
	if goTemplate, _ := spec["goTemplate"].(bool); !goTemplate {
		return nil, fmt.Errorf("only goTemplate: true ApplicationSets are rendered (the tree uses no fasttemplate)")
	}
	var options []string
	for _, option := range asList(spec["goTemplateOptions"]) {
		options = append(options, fmt.Sprint(option))
	}
	var params []map[string]interface{}
	for _, generator := range asList(spec["generators"]) {
		generated, err := generatorParams(asMap(generator), root, repository)
		if err != nil {
			return nil, err
		}
		params = append(params, generated...)
	}
	templatePatch, _ := spec["templatePatch"].(string)
	var apps []map[string]interface{}
	for _, param := range params {
		rendered, err := renderStrings(spec["template"], param, options)
		if err != nil {
			return nil, err
		}
		app := asMap(rendered)
		if templatePatch != "" {
			patchText, err := execute(templatePatch, param, options)
			if err != nil {
				return nil, fmt.Errorf("templatePatch: %w", err)
			}
			var patch map[string]interface{}
			if err := yaml.Unmarshal([]byte(patchText), &patch); err != nil {
				return nil, fmt.Errorf("templatePatch does not render to YAML: %w", err)
			}
			app = mergePatch(app, patch)
		}
		app["apiVersion"] = "argoproj.io/v1alpha1"
		app["kind"] = "Application"
		apps = append(apps, app)
	}
	return apps, nil
}

func generatorParams(generator map[string]interface{}, root, repository string) ([]map[string]interface{}, error) {
	switch {
	case generator["list"] != nil:
		var params []map[string]interface{}
		for _, element := range asList(asMap(generator["list"])["elements"]) {
			params = append(params, asMap(element))
		}
		return params, nil
	case generator["matrix"] != nil:
		children := asList(asMap(generator["matrix"])["generators"])
		if len(children) != 2 {
			return nil, fmt.Errorf("a matrix generator has exactly two generators, not %d", len(children))
		}
		left, err := generatorParams(asMap(children[0]), root, repository)
		if err != nil {
			return nil, err
		}
		right, err := generatorParams(asMap(children[1]), root, repository)
		if err != nil {
			return nil, err
		}
		var params []map[string]interface{}
		for _, l := range left {
			for _, r := range right {
				params = append(params, mergePatch(mergePatch(map[string]interface{}{}, l), r))
			}
		}
		return params, nil
	case generator["git"] != nil:
		git := asMap(generator["git"])
		if url, _ := git["repoURL"].(string); url != repository {
			return nil, fmt.Errorf("git generator reads %s, not this repository (%s)", url, repository)
		}
		var params []map[string]interface{}
		for _, file := range asList(git["files"]) {
			pattern, _ := asMap(file)["path"].(string)
			matches, err := filepath.Glob(filepath.Join(root, pattern))
			if err != nil {
				return nil, err
			}
			sort.Strings(matches)
			for _, match := range matches {
				param, err := gitFileParams(root, match)
				if err != nil {
					return nil, err
				}
				params = append(params, param)
			}
		}
		return params, nil
	default:
		return nil, fmt.Errorf("generator %v is not one this renderer knows (list, matrix, git files)", keys(generator))
	}
}

// gitFileParams: the file's content, and `path` as the git files generator sets it with goTemplate.
func gitFileParams(root, file string) (map[string]interface{}, error) {
	content, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	relative, _ := filepath.Rel(root, file)
	var param map[string]interface{}
	if err := yaml.Unmarshal(content, &param); err != nil {
		return nil, fmt.Errorf("%s: %w", relative, err)
	}
	if param == nil {
		param = map[string]interface{}{}
	}
	directory := filepath.ToSlash(filepath.Dir(relative))
	var segments []interface{}
	for _, segment := range strings.Split(directory, "/") {
		segments = append(segments, segment)
	}
	param["path"] = map[string]interface{}{
		"path":               directory,
		"basename":           filepath.Base(directory),
		"filename":           filepath.Base(relative),
		"basenameNormalized": normalize(filepath.Base(directory)),
		"filenameNormalized": normalize(filepath.Base(relative)),
		"segments":           segments,
	}
	return param, nil
}

func normalize(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' || r == '.' {
			b.WriteRune(r)
		} else {
			b.WriteRune('-')
		}
	}
	return b.String()
}

// functions are the ApplicationSet controller's: Sprig's, without the ones reading the environment or the network,
// and its YAML helpers.
func functions() template.FuncMap {
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	delete(funcs, "getHostByName")
	funcs["normalize"] = normalize
	funcs["toYaml"] = func(v interface{}) (string, error) {
		out, err := yaml.Marshal(v)
		return strings.TrimSuffix(string(out), "\n"), err
	}
	funcs["fromYaml"] = func(s string) (map[string]interface{}, error) {
		var v map[string]interface{}
		return v, yaml.Unmarshal([]byte(s), &v)
	}
	return funcs
}

func execute(text string, param map[string]interface{}, options []string) (string, error) {
	parsed, err := template.New("").Option(options...).Funcs(functions()).Parse(text)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	if err := parsed.Execute(&out, param); err != nil {
		return "", err
	}
	return out.String(), nil
}

// renderStrings executes every string of the template as a Go template, as the ApplicationSet controller does.
func renderStrings(value interface{}, param map[string]interface{}, options []string) (interface{}, error) {
	switch v := value.(type) {
	case string:
		return execute(v, param, options)
	case map[string]interface{}:
		out := map[string]interface{}{}
		for key, item := range v {
			renderedKey, err := execute(key, param, options)
			if err != nil {
				return nil, err
			}
			if out[renderedKey], err = renderStrings(item, param, options); err != nil {
				return nil, err
			}
		}
		return out, nil
	case []interface{}:
		out := make([]interface{}, len(v))
		for i, item := range v {
			var err error
			if out[i], err = renderStrings(item, param, options); err != nil {
				return nil, err
			}
		}
		return out, nil
	default:
		return v, nil
	}
}

// mergePatch merges patch into target: maps merge, lists and scalars replace, null deletes (what a strategic merge
// patch does to an Application, whose lists carry no merge keys).
func mergePatch(target, patch map[string]interface{}) map[string]interface{} {
	for key, value := range patch {
		if value == nil {
			delete(target, key)
			continue
		}
		if patchMap, ok := value.(map[string]interface{}); ok {
			if targetMap, ok := target[key].(map[string]interface{}); ok {
				target[key] = mergePatch(targetMap, patchMap)
				continue
			}
			target[key] = mergePatch(map[string]interface{}{}, patchMap)
			continue
		}
		target[key] = value
	}
	return target
}

// --- Application: source rendering ---

func resolve(manifest map[string]interface{}, root, repository string) (syncedApplication, error) {
	metadata := asMap(manifest["metadata"])
	spec := asMap(manifest["spec"])
	destination := asMap(spec["destination"])
	app := syncedApplication{Name: nameOf(manifest), Objects: []map[string]interface{}{}}
	app.Project, _ = spec["project"].(string)
	app.Namespace, _ = destination["namespace"].(string)
	if wave, ok := asMap(metadata["annotations"])["argocd.argoproj.io/sync-wave"].(string); ok {
		parsed, err := strconv.Atoi(wave)
		if err != nil {
			return app, fmt.Errorf("sync-wave %q is not an integer", wave)
		}
		app.Wave = parsed
	}
	syncPolicy := asMap(spec["syncPolicy"])
	app.Prune, _ = asMap(syncPolicy["automated"])["prune"].(bool)
	for _, option := range asList(syncPolicy["syncOptions"]) {
		if option == "CreateNamespace=true" {
			app.CreateNamespace = true
		}
	}
	for key, value := range asMap(asMap(syncPolicy["managedNamespaceMetadata"])["labels"]) {
		if app.NamespaceLabels == nil {
			app.NamespaceLabels = map[string]string{}
		}
		app.NamespaceLabels[key] = fmt.Sprint(value)
	}
	sources := asList(spec["sources"])
	if source, ok := spec["source"]; ok {
		sources = append(sources, source)
	}
	for _, source := range sources {
		if chart, ok := asMap(source)["chart"].(string); ok {
			app.Skipped = fmt.Sprintf("Helm chart %s %v from %v: charts cannot be fetched here, so this Application "+
				"is not deployed by this renderer", chart, asMap(source)["targetRevision"], asMap(source)["repoURL"])
			return app, nil
		}
	}
	if len(sources) != 1 {
		return app, fmt.Errorf("%d sources: one kustomize source is rendered", len(sources))
	}
	source := asMap(sources[0])
	if url, _ := source["repoURL"].(string); url != repository {
		return app, fmt.Errorf("source %s is not this repository (%s)", url, repository)
	}
	app.Path, _ = source["path"].(string)
	objects, err := renderSource(root, app.Path, asMap(source["kustomize"]))
	if err != nil {
		return app, fmt.Errorf("%s: %w", app.Path, err)
	}
	app.Objects = objects
	return app, nil
}

// renderSource builds path in a copy of the tree after writing the source's kustomize options into its
// kustomization.yaml, as Argo CD's repo server does before `kustomize build`.
func renderSource(root, path string, options map[string]interface{}) ([]map[string]interface{}, error) {
	directory := filepath.Join(root, path)
	if len(options) > 0 {
		scratch, err := os.MkdirTemp("", "argocd-source-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(scratch)
		top := strings.Split(filepath.ToSlash(path), "/")[0]
		if err := copyTree(filepath.Join(root, top), filepath.Join(scratch, top)); err != nil {
			return nil, err
		}
		directory = filepath.Join(scratch, path)
		if err := editKustomization(filepath.Join(directory, "kustomization.yaml"), options); err != nil {
			return nil, err
		}
	}
	rendered, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), directory)
	if err != nil {
		return nil, err
	}
	var objects []map[string]interface{}
	for _, resource := range rendered.Resources() {
		fields, err := resource.Map()
		if err != nil {
			return nil, err
		}
		objects = append(objects, fields)
	}
	return objects, nil
}

func editKustomization(file string, options map[string]interface{}) error {
	content, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var kustomization map[string]interface{}
	if err := yaml.Unmarshal(content, &kustomization); err != nil {
		return err
	}
	for key, value := range options {
		switch key {
		case "patches":
			kustomization["patches"] = append(asList(kustomization["patches"]), asList(value)...)
		case "images":
			// `kustomize edit set image name=newName:tag` or name:tag
			for _, image := range asList(value) {
				kustomization["images"] = append(asList(kustomization["images"]), imageEntry(fmt.Sprint(image)))
			}
		case "namespace":
			kustomization["namespace"] = value
		default:
			return fmt.Errorf("kustomize option %q is not one this renderer applies (patches, images, namespace)", key)
		}
	}
	out, err := yaml.Marshal(kustomization)
	if err != nil {
		return err
	}
	return os.WriteFile(file, out, 0o644)
}

func imageEntry(image string) map[string]interface{} {
	entry := map[string]interface{}{}
	name, reference, renamed := strings.Cut(image, "=")
	if !renamed {
		reference = image
	}
	if i := strings.Index(reference, "@"); i >= 0 {
		entry["digest"] = reference[i+1:]
		reference = reference[:i]
	}
	if i := strings.LastIndex(reference, ":"); i > strings.LastIndex(reference, "/") {
		entry["newTag"] = reference[i+1:]
		reference = reference[:i]
	}
	if !renamed {
		name = reference
	}
	entry["name"] = name
	if reference != name {
		entry["newName"] = reference
	}
	return entry
}

func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		relative, _ := filepath.Rel(from, path)
		target := filepath.Join(to, relative)
		if entry.IsDir() {
			if entry.Name() == "target" || entry.Name() == "validator" || entry.Name() == "src" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, content, 0o644)
	})
}

func writeApplications(file string, apps []syncedApplication) error {
	out, err := json.MarshalIndent(apps, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, out, 0o644)
}

func asMap(v interface{}) map[string]interface{} {
	m, _ := v.(map[string]interface{})
	return m
}

func asList(v interface{}) []interface{} {
	l, _ := v.([]interface{})
	return l
}

func keys(m map[string]interface{}) []string {
	var out []string
	for key := range m {
		out = append(out, key)
	}
	sort.Strings(out)
	return out
}
