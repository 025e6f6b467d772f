package smtp_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/delivery/smtp"
)

// silentServer accepts connections and never answers, like a server that hangs.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return ln.Addr().String()
}

// hangingSender talks to a silent server with a per-command timeout far longer than any test
// may run, so that only the context can end a send.
func hangingSender(t *testing.T) *smtp.Sender {
	t.Helper()
	u := url.URL{Scheme: "smtp", Host: silentServer(t), RawQuery: "tls=none&timeout=1h&from=a%40example.com"}
	cfg, err := smtp.ParseURL(u.String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := smtp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendStopsAtContextDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := hangingSender(t).Send(ctx, otpMessage(t, "a@example.com"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send to a hanging server: %v, want context.DeadlineExceeded", err)
	}
	if delivery.IsPermanent(err) {
		t.Error("a timeout is permanent")
	}
}

func TestSendStopsAtCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	err := hangingSender(t).Send(ctx, otpMessage(t, "a@example.com"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send to a hanging server: %v, want context.Canceled", err)
	}
}
