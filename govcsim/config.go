// Command-line flags. They mirror the launcher's options (src/sim/launcher.ts) one to one.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

type config struct {
	listen             string
	datacenters        int
	clusters           int
	hosts              int
	standaloneHosts    int
	datastores         int
	vms                int
	vsan               bool
	tls                bool
	cert               string
	key                string
	username           string
	password           string
	sessionIdleTimeout time.Duration
	taskLifetime       time.Duration
	tmpdir             string
	compat             bool
	strict             bool
	trace              bool
	verbose            bool
	exitWithStdin      bool
	pprof              string
}

func parseConfig(args []string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("govcsim", flag.ContinueOnError)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:0", "address to listen on; port 0 picks a free port")
	fs.IntVar(&c.datacenters, "datacenters", 1, "number of datacenters")
	fs.IntVar(&c.clusters, "clusters", 1, "clusters per datacenter")
	fs.IntVar(&c.hosts, "hosts", 3, "hosts per cluster")
	fs.IntVar(&c.standaloneHosts, "standalone-hosts", 1, "standalone hosts per datacenter")
	fs.IntVar(&c.datastores, "datastores", 1, "local datastores (LocalDS_N) per datacenter, mounted on every host")
	fs.IntVar(&c.vms, "vms", 0, "pre-made VMs per resource pool and per standalone host (powered on, as vcsim makes them)")
	fs.BoolVar(&c.vsan, "vsan", false, "add a vsanDatastore (summary.type vsan) to every datacenter, mounted on every host")
	fs.BoolVar(&c.tls, "tls", false, "serve https (vcsim's built-in certificate unless -cert/-key)")
	fs.StringVar(&c.cert, "cert", "", "PEM certificate file for -tls")
	fs.StringVar(&c.key, "key", "", "PEM private key file for -tls")
	fs.StringVar(&c.username, "username", "", "the only user name Login accepts (default: any non-empty pair)")
	fs.StringVar(&c.password, "password", "", "the only password Login accepts, with -username")
	fs.DurationVar(&c.sessionIdleTimeout, "session-idle-timeout", 30*time.Minute, "expire sessions idle this long, as vCenter does after 30 minutes (0: never)")
	fs.DurationVar(&c.taskLifetime, "task-lifetime", 10*time.Minute, "with -compat, remove a task this long after it completed (0: never)")
	fs.StringVar(&c.tmpdir, "tmpdir", "", "parent directory for the datastore directories (default: the system temp dir)")
	fs.BoolVar(&c.compat, "compat", true, "behave like vCenter where vcsim 0.24.2 differs; false gives pure vcsim")
	fs.BoolVar(&c.strict, "strict", false, "reject requests vCenter rejects (element order, untyped anyType values)")
	fs.BoolVar(&c.trace, "trace", false, "log SOAP requests and responses to stderr, with secrets removed")
	fs.BoolVar(&c.verbose, "verbose", false, "let vcsim's own log lines through to stderr")
	fs.BoolVar(&c.exitWithStdin, "exit-with-stdin", false, "stop when stdin reaches EOF (used by the launcher)")
	fs.StringVar(&c.pprof, "pprof", os.Getenv("GOVCSIM_PPROF"), "serve Go's profiler (/debug/pprof/) on this loopback address, e.g. 127.0.0.1:0 (default $GOVCSIM_PPROF; empty: off)")

	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, c.validate()
}

func (c *config) validate() error {
	counts := map[string]int{
		"datacenters": c.datacenters, "clusters": c.clusters, "hosts": c.hosts,
		"standalone-hosts": c.standaloneHosts, "datastores": c.datastores, "vms": c.vms,
	}
	for name, n := range counts {
		if n < 0 {
			return fmt.Errorf("-%s must not be negative", name)
		}
	}
	if c.datacenters < 1 {
		return errors.New("-datacenters must be at least 1")
	}
	// vcsim's pre-made VMs hard-code the path [LocalDS_0].
	if c.vms > 0 && c.datastores < 1 {
		return errors.New("-vms needs -datastores 1 or more")
	}
	if (c.cert == "") != (c.key == "") {
		return errors.New("-cert and -key go together")
	}
	if c.cert != "" {
		c.tls = true
	}
	if (c.username == "") != (c.password == "") {
		return errors.New("-username and -password go together")
	}
	if c.pprof != "" {
		if err := checkLoopback(c.pprof); err != nil {
			return err
		}
	}
	return nil
}
