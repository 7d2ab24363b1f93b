// Command govcsim runs govmomi's vCenter simulator (vcsim, Debian's govmomi 0.24.2) for portlayer's tests and
// its embedded mode. In front of vcsim's HTTP handler it adds a compat layer that makes vcsim behave like
// vCenter where they differ (-compat, on by default), a strict mode that rejects requests vCenter would reject
// (-strict), and control endpoints for fault injection and per-method round-trip counts.
//
// stdout carries exactly two lines: the SDK URL (with credentials) and a JSON inventory. Everything else goes
// to stderr. SIGTERM or SIGINT stops the server, removes the datastore directories and exits 0.
package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"net"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

// shutdownGrace bounds how long a stop waits for in-flight requests; a blocked WaitForUpdatesEx would
// otherwise hold the process forever.
const shutdownGrace = 3 * time.Second

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	logger := log.New(os.Stderr, "govcsim: ", 0)

	cfg, err := parseConfig(args)
	if err != nil {
		logger.Print(err)
		return 2
	}

	// Catch signals from the start: a launcher may stop us as soon as it has read the URL, or even before,
	// and either way the datastore directories must go.
	stop := stopSignals(cfg)

	// vcsim logs every property-collector tick through the standard logger; keep that for -verbose only.
	if !cfg.verbose {
		log.SetOutput(ioutil.Discard)
	}

	runDir, err := ioutil.TempDir(cfg.tmpdir, "govcsim-")
	if err != nil {
		logger.Printf("cannot create a run directory: %v", err)
		return 1
	}
	// vcsim makes its datastore directories with ioutil.TempDir(""), which follows TMPDIR: pointing it at the
	// run directory keeps every datastore under one directory that a stop removes.
	os.Setenv("TMPDIR", runDir)

	sim, err := startSimulator(cfg, logger)
	if err != nil {
		logger.Print(err)
		os.RemoveAll(runDir)
		return 1
	}

	inv := describeInventory(cfg, sim.server.URL)
	if err := printStartup(os.Stdout, sim.server.URL, inv); err != nil {
		logger.Printf("cannot write the startup lines: %v", err)
	}
	logger.Printf("listening on %s (compat=%t strict=%t)", redactedURL(sim.server.URL), cfg.compat, cfg.strict)

	if cfg.pprof != "" {
		addr, stopProfiler, err := startProfiler(cfg.pprof)
		if err != nil {
			logger.Print(err)
			sim.stop(logger)
			os.RemoveAll(runDir)
			return 1
		}
		defer stopProfiler()
		logger.Printf("pprof on http://%s/debug/pprof/", addr)
	}

	<-stop

	sim.stop(logger)
	os.RemoveAll(runDir)
	return 0
}

// runningSimulator bundles what a stop has to undo.
type runningSimulator struct {
	model      *simulator.Model
	server     *simulator.Server
	stopExpiry chan struct{}
}

func startSimulator(cfg *config, logger *log.Logger) (*runningSimulator, error) {
	model, err := buildModel(cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot build the inventory: %v", err)
	}

	if cfg.sessionIdleTimeout > 0 {
		simulator.SessionIdleTimeout = cfg.sessionIdleTimeout
	}

	listen := &url.URL{Host: cfg.listen}
	if cfg.username != "" {
		listen.User = url.UserPassword(cfg.username, cfg.password)
	}
	model.Service.Listen = listen

	if cfg.tls {
		tlsConfig := new(tls.Config)
		if cfg.cert != "" {
			pair, err := tls.LoadX509KeyPair(cfg.cert, cfg.key)
			if err != nil {
				model.Remove()
				return nil, fmt.Errorf("cannot load -cert/-key: %v", err)
			}
			tlsConfig.Certificates = []tls.Certificate{pair}
		}
		model.Service.TLS = tlsConfig
	}

	faults := &faultRules{}
	hooks := newTaskHooks(cfg.compat, faults, logger)
	if cfg.compat {
		hooks.stampChangeVersions()
	}

	server, err := listenAndServe(model.Service, cfg.listen)
	if err != nil {
		model.Remove()
		return nil, err
	}
	simulator.Map.AddHandler(hooks)
	stopExpiry := make(chan struct{})
	if cfg.compat {
		expirer := &taskExpirer{lifetime: cfg.taskLifetime}
		simulator.Map.AddHandler(expirer)
		go expirer.run(stopExpiry)
	}

	describe := func() *inventory {
		// Compat changes names only under this lock; holding it gives a consistent picture.
		hooks.names.Lock()
		defer hooks.names.Unlock()
		return describeInventory(cfg, server.URL)
	}
	front := newFront(cfg, server.Config.Handler, hooks, faults, logger, describe)
	if cfg.compat {
		simulator.Map.AddHandler(front.collectors)
		go front.sweepSessions(stopExpiry)
	}
	// vcsim starts serving inside NewServer; nobody knows the port before the URL is printed, so swapping the
	// handler here cannot race with a request.
	server.Config.Handler = front

	return &runningSimulator{model: model, server: server, stopExpiry: stopExpiry}, nil
}

// listenAndServe turns vcsim's panic on a busy port into an error.
func listenAndServe(svc *simulator.Service, addr string) (server *simulator.Server, err error) {
	if _, port, splitErr := net.SplitHostPort(addr); splitErr == nil && port != "0" {
		l, listenErr := net.Listen("tcp", addr)
		if listenErr != nil {
			return nil, fmt.Errorf("cannot listen on %s: %v", addr, listenErr)
		}
		l.Close()
	}

	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cannot listen on %s: %v", addr, p)
		}
	}()
	return svc.NewServer(), nil
}

func (s *runningSimulator) stop(logger *log.Logger) {
	close(s.stopExpiry)
	done := make(chan struct{})
	go func() {
		s.server.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(shutdownGrace):
		logger.Printf("requests still running after %s; stopping anyway", shutdownGrace)
	}
	s.model.Remove()
}

// stopSignals reports SIGTERM, SIGINT, or (with -exit-with-stdin) the end of stdin.
func stopSignals(cfg *config) <-chan struct{} {
	stop := make(chan struct{})
	var once sync.Once
	done := func() { once.Do(func() { close(stop) }) }

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		done()
	}()

	if cfg.exitWithStdin {
		// The launcher holds our stdin open; if it dies without stopping us, EOF arrives and we go too.
		go func() {
			_, _ = io.Copy(ioutil.Discard, os.Stdin)
			done()
		}()
	}
	return stop
}

func printStartup(out io.Writer, sdk *url.URL, inv *inventory) error {
	line, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n%s\n", sdk.String(), line)
	return err
}

func redactedURL(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}
