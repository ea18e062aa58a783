// Command pause is the sandbox process of every pod on the platform's development cluster (containerd's
// sandbox_image): it holds the pod's namespaces, reaps the orphans it inherits as PID 1, and exits on TERM or INT.
// Built static (CGO_ENABLED=0) into an image of one file, so the cluster needs no registry.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for received := range signals {
		if received != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
