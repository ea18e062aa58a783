// Package opapolicies builds OPA (a go.mod tool) for the policy tests and the OPA image.
package opapolicies

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The OPA go.mod requires is the version the root pom names (the build passes it).
func TestOpaVersionIsThePoms(t *testing.T) {
	expected := os.Getenv("OPA_VERSION")
	if expected == "" {
		t.Skip("OPA_VERSION not set (the Maven build sets it)")
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/open-policy-agent/opa").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != expected {
		t.Fatalf("go.mod requires OPA %s, the root pom names %s: change both together", got, expected)
	}
}
