// Round-trip counts per SOAP method, served by GET /govcsim/stats and reset by DELETE. Benchmarks and tests
// compare them with a flow's SOAP budget, so every request the front handler receives on /sdk is counted
// once, before anything can reject it, and nothing else is (the handler's own session probes bypass it).
package main

import "sync"

// unreadableMethod counts requests whose method element could not be found.
const unreadableMethod = "(unreadable)"

type callCounts struct {
	mu     sync.Mutex
	counts map[string]int
}

func newCallCounts() *callCounts {
	return &callCounts{counts: map[string]int{}}
}

func (c *callCounts) add(method string) {
	if method == "" {
		method = unreadableMethod
	}
	c.mu.Lock()
	c.counts[method]++
	c.mu.Unlock()
}

func (c *callCounts) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

func (c *callCounts) reset() {
	c.mu.Lock()
	c.counts = map[string]int{}
	c.mu.Unlock()
}
