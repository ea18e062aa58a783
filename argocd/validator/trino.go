package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// The Trino image's JVM takes this share of its container's memory (-XX:MaxRAMPercentage, images/trino/pom.xml),
// and Trino keeps this share of the heap as headroom (memory.heap-headroom-per-node's default).
const (
	trinoHeapShare     = 0.75
	trinoHeadroomShare = 0.30
)

var trinoDataSize = regexp.MustCompile(`^\s*([0-9.]+)\s*(B|kB|MB|GB|TB|PB)\s*$`)

// checkTrinoMemory finds what made Trino refuse to start on the development cluster ("Invalid memory
// configuration"), before any cluster: for every Trino container, query.max-memory-per-node from the trino-etc
// ConfigMap it mounts, plus the heap headroom, must fit the heap its memory limit gives the JVM.
func checkTrinoMemory(kustomization string, objects []object) []string {
	settings := map[string]map[string]string{}
	for _, o := range objects {
		if o.kind() == "ConfigMap" {
			data := asMap(o.fields["data"])
			if text, ok := data["config.properties"].(string); ok {
				settings[o.name()] = properties(text)
			}
		}
	}
	var problems []string
	for _, o := range objects {
		if o.kind() != "Deployment" && o.kind() != "StatefulSet" {
			continue
		}
		pod := asMap(asMap(asMap(o.fields["spec"])["template"])["spec"])
		volumes := map[string]string{}
		for _, volume := range asList(pod["volumes"]) {
			if configMap := asMap(asMap(volume)["configMap"]); configMap != nil {
				volumes[fmt.Sprint(asMap(volume)["name"])] = fmt.Sprint(configMap["name"])
			}
		}
		for _, c := range asList(pod["containers"]) {
			container := asMap(c)
			if image, _ := container["image"].(string); !strings.Contains(image, "platform/trino") {
				continue
			}
			var config map[string]string
			for _, mount := range asList(container["volumeMounts"]) {
				if asMap(mount)["mountPath"] == "/etc/trino" {
					config = settings[volumes[fmt.Sprint(asMap(mount)["name"])]]
				}
			}
			perNode, ok := config["query.max-memory-per-node"]
			limit, hasLimit := asMap(asMap(container["resources"])["limits"])["memory"].(string)
			if !ok || !hasLimit {
				continue
			}
			bytes, err := dataSize(perNode)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %s %s container %s: query.max-memory-per-node: %v",
					kustomization, o.kind(), o.name(), container["name"], err))
				continue
			}
			quantity, err := resource.ParseQuantity(limit)
			if err != nil {
				continue // the strict decoding reports it
			}
			heap := float64(quantity.Value()) * trinoHeapShare
			if float64(bytes)+heap*trinoHeadroomShare > heap {
				problems = append(problems, fmt.Sprintf("%s: %s %s container %s: query.max-memory-per-node=%s and %.0f %% "+
					"headroom do not fit the %.2f GiB heap a %s memory limit gives (%.0f %%): Trino refuses to start; "+
					"at most %.2f GiB per node", kustomization, o.kind(), o.name(), container["name"], perNode,
					trinoHeadroomShare*100, heap/(1<<30), limit, trinoHeapShare*100, heap*(1-trinoHeadroomShare)/(1<<30)))
			}
		}
	}
	return problems
}

func properties(text string) map[string]string {
	values := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "!") {
			continue
		}
		if key, value, found := strings.Cut(line, "="); found {
			values[strings.TrimSpace(key)] = strings.TrimSpace(value)
		}
	}
	return values
}

// dataSize parses Trino's (airlift's) DataSize: a number and B, kB, MB, GB, TB or PB, in powers of 1024.
func dataSize(text string) (int64, error) {
	match := trinoDataSize.FindStringSubmatch(text)
	if match == nil {
		return 0, fmt.Errorf("%q is not a data size (e.g. 2GB)", text)
	}
	number, err := strconv.ParseFloat(match[1], 64)
	if err != nil {
		return 0, err
	}
	unit := map[string]float64{"B": 1, "kB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40, "PB": 1 << 50}[match[2]]
	return int64(number * unit), nil
}
