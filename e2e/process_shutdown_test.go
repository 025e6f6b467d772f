package e2e

import (
	"context"
	"io"
	"log"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
)

// stallingSMTP is an SMTP server that takes in each message and never answers the end of its
// data, as a server hanging mid-transaction does.
type stallingSMTP struct {
	url      string
	received chan struct{} // gets a value for each message taken in
	release  chan struct{} // closed when the test ends, unblocking every session
}

func startStallingSMTP(t *testing.T) *stallingSMTP {
	t.Helper()
	s := &stallingSMTP{received: make(chan struct{}, 16), release: make(chan struct{})}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &stallingSession{srv: s}, nil
	}))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() { close(s.release) })
		_ = srv.Close()
	})
	q := url.Values{"from": {deliverytest.DefaultFrom}, "tls": {"none"}}
	s.url = (&url.URL{Scheme: "smtp", Host: ln.Addr().String(), RawQuery: q.Encode()}).String()
	return s
}

type stallingSession struct{ srv *stallingSMTP }

func (s *stallingSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *stallingSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (s *stallingSession) Reset()                                 {}
func (s *stallingSession) Logout() error                          { return nil }

func (s *stallingSession) Data(r io.Reader) error {
	if _, err := io.ReadAll(r); err != nil {
		return err
	}
	s.srv.received <- struct{}{}
	<-s.srv.release
	return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "gave up"}
}

// TestProcessShutdownHandsBackInterruptedDelivery stops the server gracefully while a message
// is in the middle of being sent. The send is interrupted, so the message must be handed back
// to the outbox before the process exits: the next process then sends it at once. If the
// process exits without waiting for its delivery worker, the message stays leased for the
// whole lease (60 s) and the user waits that long for a code.
func TestProcessShutdownHandsBackInterruptedDelivery(t *testing.T) {
	t.Parallel()
	st := sqliteStore(t)
	stalling := startStallingSMTP(t)
	srv := startLatchkeyServer(t, st, "", map[string]string{"LATCHKEY_SMTP_URL": stalling.url})
	boot := srv.waitBootstrap()
	tok := srv.token(boot.ClientID, boot.ClientSecret)
	const email = "patient@example.com"
	srv.createUser(tok, email)
	srv.sendEmailOTP(tok, email)
	select {
	case <-stalling.received:
	case <-time.After(processWait):
		t.Fatal("the message never reached the SMTP server")
	}
	srv.stop()

	smtp := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	next := startLatchkeyServer(t, st, srv.addr, map[string]string{"LATCHKEY_SMTP_URL": smtp.URL()})
	// Bounded well below the 60 s lease: only a message handed back at shutdown arrives.
	ctx, cancel := context.WithTimeout(context.Background(), processWait)
	defer cancel()
	msgs, err := smtp.WaitFor(ctx, email, 1)
	if err != nil {
		t.Fatalf("the message interrupted by shutdown was not handed back (it is still leased): %v", err)
	}
	next.authenticateOTP(tok, email, smtpCode(t, msgs[0]))
}
