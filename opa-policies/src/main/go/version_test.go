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

// A malformed policy stops the build (the opa-check execution runs this command) and names its file and line.
func TestMalformedPolicyIsNamedByFileAndLine(t *testing.T) {
	opa := os.Getenv("OPA_BINARY")
	if opa == "" {
		t.Skip("OPA_BINARY not set (the Maven build sets it)")
	}
	directory := t.TempDir()
	policy := directory + "/broken.rego"
	if err := os.WriteFile(policy, []byte("package trino\n\nallow if {\n\tinput.user ==\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(opa, "check", "--strict", directory).CombinedOutput()
	if err == nil {
		t.Fatalf("opa check accepted a malformed policy:\n%s", out)
	}
	if !strings.Contains(string(out), policy+":5:") {
		t.Fatalf("opa check did not name %s:5:\n%s", policy, out)
	}
	// A rule that is never true by mistake (an unknown reference) is an error too, not a silent deny.
	if err := os.WriteFile(policy, []byte("package trino\n\nallow if input.user in data.platform.admins\n\nx := undefined_function(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(opa, "check", "--strict", directory).CombinedOutput()
	if err == nil || !strings.Contains(string(out), policy+":5:") {
		t.Fatalf("opa check should name %s:5: (undefined function): %v\n%s", policy, err, out)
	}
}
