package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCreateMakesAWorldWritableDirectoryAndDeleteRemovesIt(t *testing.T) {
	volume := filepath.Join(t.TempDir(), "volumes", "pvc-1234_platform_data")
	if err := run(volume, "Filesystem", "create"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(volume)
	if err != nil || !info.IsDir() || info.Mode().Perm() != 0o777 {
		t.Fatalf("after create: %v, %v", info, err)
	}
	if err := os.WriteFile(filepath.Join(volume, "data"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(volume, "Filesystem", "delete"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(volume); !os.IsNotExist(err) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestRefusesWhatIsNotAVolumeDirectory(t *testing.T) {
	for _, path := range []string{"/", "/var", "relative/pvc-1", t.TempDir(), "/var/lib/../"} {
		if err := run(path, "Filesystem", "delete"); err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("delete %q: %v", path, err)
		}
	}
	if err := run("/tmp/x/pvc-1", "Block", "create"); err == nil {
		t.Error("block volumes accepted")
	}
	if err := run("/tmp/x/pvc-1", "Filesystem", "resize"); err == nil {
		t.Error("unknown action accepted")
	}
}

// The provisioner go.mod requires is the version the root pom names (the build passes it).
func TestProvisionerVersionIsThePoms(t *testing.T) {
	expected := os.Getenv("LOCAL_PATH_PROVISIONER_VERSION")
	if expected == "" {
		t.Skip("LOCAL_PATH_PROVISIONER_VERSION not set (the Maven build sets it)")
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/rancher/local-path-provisioner").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != expected {
		t.Fatalf("go.mod requires local-path-provisioner %s, the root pom names %s: change both together", got, expected)
	}
}
