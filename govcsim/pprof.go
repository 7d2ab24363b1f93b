// Go's profiler (-pprof, opt-in): net/http/pprof on a listener of its own, so the simulator's memory and CPU can
// be profiled under a long run (`go tool pprof http://ADDR/debug/pprof/heap`). Only a loopback address is accepted:
// the profiles show request contents (ExtraConfig values, session keys) and the endpoints need no login. The SOAP
// port never serves them. GOVCSIM_PPROF gives the flag's default, so a bench that starts the simulator through the
// launcher can turn it on without a new option.
package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
)

// checkLoopback refuses an address whose host is not a loopback IP (or "localhost").
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-pprof %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-pprof %q: only a loopback address is allowed (e.g. 127.0.0.1:0)", addr)
	}
	return nil
}

// startProfiler serves /debug/pprof/ on addr and returns the address it listens on.
func startProfiler(addr string) (net.Addr, func(), error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot listen on -pprof %s: %v", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	server := &http.Server{Handler: mux}
	go func() { _ = server.Serve(l) }()
	return l.Addr(), func() { _ = server.Close() }, nil
}
