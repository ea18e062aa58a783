// Command etcd is the etcd server of the platform's development cluster, built from go.etcd.io/etcd/server/v3 on
// the Go module proxy (Debian's etcd 3.4 is too old: watch-progress requests fail and Spark's Kubernetes client
// falls back to polling). The build stamps the root pom's etcd.version (-X main.expectedVersion); a binary that
// links another etcd refuses to run.
package main

import (
	"fmt"
	"os"

	"go.etcd.io/etcd/api/v3/version"
	"go.etcd.io/etcd/server/v3/etcdmain"
)

var expectedVersion = "unset"

func main() {
	if version.Version != expectedVersion {
		fmt.Fprintf(os.Stderr, "etcd: built as etcd %s but links %s: set etcd.version in the root pom.xml and the "+
			"require in go.mod to the same release\n", expectedVersion, version.Version)
		os.Exit(2)
	}
	etcdmain.Main(os.Args)
}
