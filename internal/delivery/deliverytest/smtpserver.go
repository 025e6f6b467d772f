package deliverytest

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// DefaultFrom is the from address of SMTPServer.URL unless SMTPOptions.From says otherwise.
const DefaultFrom = "Latchkey <no-reply@latchkey.test>"

// SMTPOptions configure an SMTPServer.
type SMTPOptions struct {
	// Username and Password, when set, make the server offer AUTH PLAIN and require it before
	// accepting mail.
	Username string
	Password string
	// STARTTLS makes the server offer STARTTLS with a self-signed certificate; URL then asks
	// for STARTTLS and skips certificate verification.
	STARTTLS bool
	// From is the from parameter of URL; DefaultFrom when empty.
	From string
}

// SMTPServer is a real SMTP server on 127.0.0.1 that captures the messages it receives. It
// can fail deliveries on demand and be stopped and restarted on the same port.
type SMTPServer struct {
	t         testing.TB
	opts      SMTPOptions
	tlsConfig *tls.Config
	addr      string

	mu       sync.Mutex
	server   *gosmtp.Server // nil while stopped
	listener net.Listener
	messages []ReceivedMessage
	failNext int
	rejected map[string]bool
	changed  chan struct{} // closed and replaced whenever a message is received
}

// StartSMTPServer starts a server on a free port of 127.0.0.1; it stops when the test ends.
func StartSMTPServer(t testing.TB, opts SMTPOptions) *SMTPServer {
	t.Helper()
	s := &SMTPServer{t: t, opts: opts, rejected: map[string]bool{}}
	if opts.STARTTLS {
		cfg, err := selfSignedTLS()
		if err != nil {
			t.Fatalf("SMTP test server: %v", err)
		}
		s.tlsConfig = cfg
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("SMTP test server: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// Addr returns the host:port the server listens on.
func (s *SMTPServer) Addr() string { return s.addr }

// URL returns an smtp:// URL for smtp.ParseURL that reaches this server with its options.
func (s *SMTPServer) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	q := url.Values{}
	from := s.opts.From
	if from == "" {
		from = DefaultFrom
	}
	q.Set("from", from)
	if s.opts.STARTTLS {
		q.Set("tls", "starttls")
		q.Set("insecure_skip_verify", "true")
	} else {
		q.Set("tls", "none")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (s *SMTPServer) serve(ln net.Listener) {
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &session{srv: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.TLSConfig = s.tlsConfig
	srv.AllowInsecureAuth = true // credentials over plain TCP are fine on loopback
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.mu.Lock()
	s.server, s.listener = srv, ln
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Stop closes the listener and every open connection. Stopping a stopped server does nothing.
func (s *SMTPServer) Stop() {
	s.mu.Lock()
	srv, ln := s.server, s.listener
	s.server, s.listener = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	// Close the listener ourselves too: Serve may not have registered it with the server yet.
	_ = ln.Close()
	_ = srv.Close()
}

// Restart starts a stopped server again on the same address, keeping what it received.
func (s *SMTPServer) Restart() {
	s.t.Helper()
	s.mu.Lock()
	running := s.server != nil
	s.mu.Unlock()
	if running {
		s.t.Fatalf("SMTP test server: Restart while running")
	}
	// The port may take a moment to be released by the closed listener.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ln, err := net.Listen("tcp", s.addr)
		if err == nil {
			s.serve(ln)
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("SMTP test server: listen again on %s: %v", s.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// FailNext makes the next n mail transactions fail with a 451 reply to MAIL FROM, as a server
// in trouble would.
func (s *SMTPServer) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// Reject makes the server refuse the recipient addr with a 550 reply to RCPT TO, as for an
// unknown mailbox.
func (s *SMTPServer) Reject(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected[strings.ToLower(addr)] = true
}

// Messages returns the messages received so far, oldest first.
func (s *SMTPServer) Messages() []ReceivedMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceivedMessage(nil), s.messages...)
}

// WaitFor waits until at least n messages for the envelope recipient `to` are received and
// returns them all, or returns an error when ctx ends first.
func (s *SMTPServer) WaitFor(ctx context.Context, to string, n int) ([]ReceivedMessage, error) {
	for {
		s.mu.Lock()
		var got []ReceivedMessage
		for _, m := range s.messages {
			for _, rcpt := range m.EnvelopeTo {
				if strings.EqualFold(rcpt, to) {
					got = append(got, m)
					break
				}
			}
		}
		if len(got) >= n {
			s.mu.Unlock()
			return got, nil
		}
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return got, fmt.Errorf("wait for %d messages to %s (got %d): %w", n, to, len(got), ctx.Err())
		case <-changed:
		}
	}
}

func (s *SMTPServer) takeFailure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext <= 0 {
		return false
	}
	s.failNext--
	return true
}

func (s *SMTPServer) isRejected(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected[strings.ToLower(addr)]
}

func (s *SMTPServer) record(m ReceivedMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

// session is one SMTP connection's state.
type session struct {
	srv      *SMTPServer
	conn     *gosmtp.Conn
	authUser string
	from     string
	to       []string
}

var _ gosmtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string {
	if ss.srv.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || ss.srv.opts.Username == "" {
		return nil, gosmtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if (identity != "" && identity != username) ||
			username != ss.srv.opts.Username || password != ss.srv.opts.Password {
			return gosmtp.ErrAuthFailed
		}
		ss.authUser = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if ss.srv.opts.Username != "" && ss.authUser == "" {
		return gosmtp.ErrAuthRequired
	}
	if ss.srv.takeFailure() {
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if ss.srv.isRejected(to) {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	m := ReceivedMessage{
		EnvelopeFrom: ss.from,
		EnvelopeTo:   append([]string(nil), ss.to...),
		AuthUser:     ss.authUser,
		TLS:          isTLS,
		Raw:          raw,
	}
	if err := m.parse(); err != nil {
		// A malformed message is a bug in the sender under test: refuse it loudly.
		return &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 6, 0}, Message: "Malformed message: " + err.Error()}
	}
	ss.srv.record(m)
	return nil
}

func (ss *session) Reset() {
	ss.from = ""
	ss.to = nil
}

func (ss *session) Logout() error { return nil }
