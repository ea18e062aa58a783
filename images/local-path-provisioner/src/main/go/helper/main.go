// Command local-path-helper is the local-path provisioner's setup and teardown command (its config.json's
// setupCommand and teardownCommand): the provisioner runs it in a helper pod with `-p <volume directory> -s <size
// in bytes> -m <Filesystem|Block> -a <create|delete>`. A static binary, so the image needs no shell or coreutils.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	path := flag.String("p", "", "the volume's directory")
	flag.String("s", "", "the requested size in bytes (not enforced on a local directory)")
	mode := flag.String("m", "Filesystem", "the volume mode")
	action := flag.String("a", "", "create or delete")
	flag.Parse()
	if err := run(*path, *mode, *action); err != nil {
		fmt.Fprintln(os.Stderr, "local-path-helper:", err)
		os.Exit(1)
	}
}

func run(path, mode, action string) error {
	clean := filepath.Clean(path)
	// The provisioner passes <node path>/<pvc-...>; refuse anything that could name the node path itself or more.
	if !filepath.IsAbs(clean) || strings.Count(clean, "/") < 2 || !strings.HasPrefix(filepath.Base(clean), "pvc-") {
		return fmt.Errorf("refusing volume directory %q: expected an absolute <node path>/pvc-... directory", path)
	}
	if mode != "Filesystem" {
		return fmt.Errorf("volume mode %s: only Filesystem volumes are node directories", mode)
	}
	switch action {
	case "create":
		if err := os.MkdirAll(clean, 0o777); err != nil {
			return err
		}
		// As the upstream script's mkdir -m 0777: any pod user may write its volume (the umask would narrow it).
		return os.Chmod(clean, 0o777)
	case "delete":
		return os.RemoveAll(clean)
	default:
		return fmt.Errorf("unknown action %q (create or delete)", action)
	}
}
