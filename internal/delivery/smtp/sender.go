package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
)

var _ delivery.Sender = (*Sender)(nil)

// authPreference is the order in which SASL mechanisms are tried among those the server
// offers: challenge-response ones first, then PLAIN and LOGIN, which the client library sends
// only over TLS or to a loopback host.
var authPreference = []gomail.SMTPAuthType{
	gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin,
	gomail.SMTPAuthCramMD5,
}

// Sender sends email through one SMTP server. It is safe for concurrent use.
type Sender struct {
	cfg       Config
	addr      string
	tlsConfig *tls.Config
	options   []gomail.Option
}

// New checks cfg, fills its defaults in, and returns a Sender. It does not connect.
func New(cfg Config) (*Sender, error) {
	if err := cfg.normalize(); err != nil {
		return nil, fmt.Errorf("smtp config: %w", err)
	}
	s := &Sender{
		cfg:  cfg,
		addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)),
		tlsConfig: &tls.Config{
			ServerName:         cfg.Host,
			MinVersion:         tls.VersionTLS12,
			InsecureSkipVerify: cfg.InsecureSkipVerify, //nolint:gosec // loopback hosts only, see Config
		},
	}
	// Implicit TLS is set up by our own dialer (see dial), so the library is told to do no TLS
	// of its own in that mode.
	policy := gomail.NoTLS
	if cfg.TLS == TLSStartTLS {
		policy = gomail.TLSMandatory
	}
	s.options = []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(s.tlsConfig),
	}
	if cfg.Username != "" {
		s.options = append(s.options,
			gomail.WithOpportunisticSMTPAuth(authPreference...),
			gomail.WithUsername(cfg.Username),
			gomail.WithPassword(cfg.Password))
	}
	return s, nil
}

// Send delivers m over a connection of its own. A message accepted by the server is delivered
// even if the session then fails to end cleanly.
func (s *Sender) Send(ctx context.Context, m model.OutboxMessage) error {
	if m.Kind != "" && m.Kind != model.MessageEmail {
		return delivery.Permanent(fmt.Errorf("smtp send: cannot send a message of kind %q", m.Kind))
	}
	msg, err := s.message(m)
	if err != nil {
		return delivery.Permanent(fmt.Errorf("smtp send: %w", err))
	}

	// A client per send: the library's client keeps per-session state, and a fresh one per
	// message makes concurrent sends independent.
	var conn *ctxConn
	defer func() {
		if conn != nil {
			_ = conn.Close() // also covers sessions the library abandons on error
		}
	}()
	dial := func(dialCtx context.Context, network, _ string) (net.Conn, error) {
		c, err := s.dial(ctx, dialCtx, network)
		conn = c
		if err != nil {
			return nil, err
		}
		if s.cfg.TLS == TLSImplicit {
			tc := tls.Client(c, s.tlsConfig)
			if err := tc.HandshakeContext(dialCtx); err != nil {
				return nil, fmt.Errorf("TLS handshake: %w", err)
			}
			return tc, nil
		}
		return c, nil
	}
	// A fresh slice: appending to s.options would share its array between concurrent sends.
	opts := slices.Concat(s.options, []gomail.Option{gomail.WithDialContextFunc(dial)})
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	session, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return transient(ctx, fmt.Errorf("connect to %s: %w", s.addr, err))
	}
	err = client.SendWithSMTPClient(session, msg)
	_ = client.CloseWithSMTPClient(session)
	if msg.IsDelivered() {
		return nil
	}
	if err == nil {
		return errors.New("smtp send: message not accepted") // not expected from the library
	}
	return classify(ctx, err)
}

// dial connects to the server; ctx is the Send's context, which governs the whole session,
// and dialCtx the library's, which bounds the connection attempt.
func (s *Sender) dial(ctx, dialCtx context.Context, network string) (*ctxConn, error) {
	var d net.Dialer
	c, err := d.DialContext(dialCtx, network, s.addr)
	if err != nil {
		return nil, err
	}
	return newCtxConn(ctx, c), nil
}

// message builds the MIME message: multipart/alternative when m has both parts.
func (s *Sender) message(m model.OutboxMessage) (*gomail.Msg, error) {
	from := m.From
	if from == "" {
		from = s.cfg.From
	}
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("invalid from address %q: %w", from, err)
	}
	if m.Text == "" && m.HTML == "" {
		return nil, errors.New("message has no body")
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(fromAddr)
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("invalid recipient address: %w", err)
	}
	msg.Subject(m.Subject)
	// A Message-ID derived from the outbox id makes a redelivered message recognisably the
	// same one.
	if m.ID != "" {
		msg.SetMessageIDWithValue(m.ID + "@" + domainOf(fromAddr.Address))
	} else {
		msg.SetMessageID()
	}
	date := m.CreatedAt
	if date.IsZero() {
		date = time.Now()
	}
	msg.SetDateWithValue(date)
	// RFC 3834: keeps vacation responders from answering.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	switch {
	case m.HTML == "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	case m.Text == "":
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

func domainOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == '@' {
			return addr[i+1:]
		}
	}
	return "localhost"
}
