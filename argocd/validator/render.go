package main

import (
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// object is one rendered resource, as kustomize produced it.
type object struct {
	fields map[string]interface{}
	yaml   []byte
}

func (o object) kind() string {
	kind, _ := o.fields["kind"].(string)
	return kind
}

func (o object) apiVersion() string {
	version, _ := o.fields["apiVersion"].(string)
	return version
}

func (o object) name() string {
	metadata, _ := o.fields["metadata"].(map[string]interface{})
	name, _ := metadata["name"].(string)
	return name
}

// render runs `kustomize build directory` in process, with the default options (no plugins, no remote loading
// beyond what kustomize itself allows; the tree has no remote bases).
func render(directory string) ([]object, error) {
	kustomizer := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := kustomizer.Run(filesys.MakeFsOnDisk(), directory)
	if err != nil {
		return nil, err
	}
	var objects []object
	for _, resource := range resources.Resources() {
		fields, err := resource.Map()
		if err != nil {
			return nil, err
		}
		yaml, err := resource.AsYAML()
		if err != nil {
			return nil, err
		}
		objects = append(objects, object{fields: fields, yaml: yaml})
	}
	return objects, nil
}
