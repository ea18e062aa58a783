// Command coredns is the cluster DNS of the platform's development cluster: CoreDNS from the Go module proxy with
// only the plugins its Corefile uses (the upstream binary links every plugin, cloud providers' SDKs included).
// The build stamps the root pom's coredns.version (-X main.expectedVersion); a binary that links another CoreDNS
// refuses to run.
package main

import (
	"fmt"
	"os"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

var expectedVersion = "unset"

func main() {
	if coremain.CoreVersion != expectedVersion {
		fmt.Fprintf(os.Stderr, "coredns: built as CoreDNS %s but links %s: set coredns.version in the root pom.xml "+
			"and the require in go.mod to the same release\n", expectedVersion, coremain.CoreVersion)
		os.Exit(2)
	}
	// The plugins above, in CoreDNS's own order (its directives list): plugins not linked are simply absent.
	_ = dnsserver.Directives
	coremain.Run()
}
