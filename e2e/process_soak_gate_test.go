package e2e

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// smtpGate is a TCP relay between one latchkey node and the test SMTP server. Closed, it holds
// each new connection before connecting it to the server: the node's send waits for the
// server's greeting, having handed the server nothing. That lets a test kill a node in the
// middle of a send that the SMTP server cannot have accepted, so that the message must arrive
// exactly once, sent by whichever node takes it up after the killed node's lease ends.
// Connections already relaying when the gate closes go on to their end.
type smtpGate struct {
	t        *testing.T
	ln       net.Listener
	upstream string

	mu     sync.Mutex
	open   chan struct{}         // nil while open; closed when a closed gate opens again
	held   map[net.Conn]struct{} // connections waiting at the closed gate
	active int                   // connections relaying to the server
}

// startSMTPGate starts a gate on a free loopback port in front of the SMTP server at upstream.
func startSMTPGate(t *testing.T, upstream string) *smtpGate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("SMTP gate: %v", err)
	}
	g := &smtpGate{t: t, ln: ln, upstream: upstream, held: map[net.Conn]struct{}{}}
	go g.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		g.dropHeld()
		g.reopen()
	})
	return g
}

// url returns serverURL (an SMTP URL of the test server) pointed at the gate instead.
func (g *smtpGate) url(serverURL string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		g.t.Fatalf("SMTP URL %q: %v", serverURL, err)
	}
	u.Host = g.ln.Addr().String()
	return u.String()
}

func (g *smtpGate) accept() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return // the listener closed with the test
		}
		go g.relay(c)
	}
}

// relay waits while the gate is closed, then connects c to the server and copies both ways.
// A server that is down (an SMTP outage) closes c at once, as a refused connection would fail
// the node's send.
func (g *smtpGate) relay(c net.Conn) {
	g.mu.Lock()
	open := g.open
	if open != nil {
		g.held[c] = struct{}{}
	} else {
		g.active++ // counted from here, so that no connection slips past a closing gate unseen
	}
	g.mu.Unlock()
	if open != nil {
		<-open
		g.mu.Lock()
		_, kept := g.held[c]
		delete(g.held, c)
		if kept {
			g.active++
		}
		g.mu.Unlock()
		if !kept {
			return // dropped while held: its node was killed
		}
	}
	defer func() {
		g.mu.Lock()
		g.active--
		g.mu.Unlock()
	}()
	up, err := net.Dial("tcp", g.upstream)
	if err != nil {
		_ = c.Close()
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		_ = dst.Close()
		_ = src.Close()
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	<-done
}

// close makes new connections wait at the gate.
func (g *smtpGate) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open == nil {
		g.open = make(chan struct{})
	}
}

// reopen lets the held connections, and new ones, through.
func (g *smtpGate) reopen() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open != nil {
		close(g.open)
		g.open = nil
	}
}

// dropHeld closes the connections waiting at the gate without ever connecting them.
func (g *smtpGate) dropHeld() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.held {
		_ = c.Close()
		delete(g.held, c)
	}
}

// counts returns how many connections wait at the gate and how many are relaying.
func (g *smtpGate) counts() (held, active int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.held), g.active
}
