// -trace: SOAP requests and responses on stderr, for debugging a client. vcsim's own trace would print Login
// passwords and session keys, so this one writes the bodies with every secret replaced: passwords, session
// ids and keys (the session key is the cookie value), clone tickets and SAML tokens. HTTP headers, where the
// cookie travels, are never written.
package main

import (
	"fmt"
	"io"
	"regexp"
	"sync"
)

type tracer struct {
	mu  sync.Mutex
	out io.Writer
}

var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?s)(<(?:\w+:)?(?:password|sessionId|cloneTicket)\b[^>]*>).*?(</(?:\w+:)?(?:password|sessionId|cloneTicket)>)`),
	regexp.MustCompile(`(?s)(<(?:\w+:)?Security\b[^>]*>).*?(</(?:\w+:)?Security>)`),
	// UserSession.key is the session cookie's value; other keys (ExtraConfig, devices) are not UUIDs.
	regexp.MustCompile(`(<key>)[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(</key>)`),
	regexp.MustCompile(`(?s)(<(?:AcquireCloneTicket|AcquireGenericServiceTicket)Response\b[^>]*>).*?(</(?:AcquireCloneTicket|AcquireGenericServiceTicket)Response>)`),
}

func redactSecrets(body []byte) []byte {
	for _, p := range secretPatterns {
		body = p.ReplaceAll(body, []byte("${1}(redacted)${2}"))
	}
	return body
}

func (t *tracer) request(method string, body []byte) {
	t.write(fmt.Sprintf("trace: request %s", method), body)
}

func (t *tracer) response(method string, status int, body []byte) {
	t.write(fmt.Sprintf("trace: response %s (HTTP %d)", method, status), body)
}

func (t *tracer) write(head string, body []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.out, "%s\n%s\n", head, redactSecrets(body))
}
