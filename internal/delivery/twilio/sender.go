package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
)

var _ delivery.Sender = (*Sender)(nil)

// DefaultBaseURL is Twilio's API host.
const DefaultBaseURL = "https://api.twilio.com"

// DefaultTimeout bounds one request when the caller's context allows longer.
const DefaultTimeout = 30 * time.Second

// Config configures a Sender.
type Config struct {
	AccountSID string // AC followed by 32 hex digits
	AuthToken  string
	// From is the sending number (E.164) or alphanumeric sender id; MessagingServiceSID (MG
	// followed by 32 hex digits) names a Messaging Service instead. One of them is required;
	// with both, Twilio sends from From within the service.
	From                string
	MessagingServiceSID string
	// BaseURL is where the API lives; DefaultBaseURL when empty. Plain http is accepted only
	// for a loopback host (a local stand-in in tests), so that credentials never travel in
	// the clear.
	BaseURL string
	Client  *http.Client  // nil means a client with Timeout
	Timeout time.Duration // DefaultTimeout when zero
}

// Sender sends SMS through Twilio. It is safe for concurrent use.
type Sender struct {
	cfg      Config
	endpoint string
	client   *http.Client
}

var (
	accountSIDPattern = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	serviceSIDPattern = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
)

// New checks cfg and returns a Sender.
func New(cfg Config) (*Sender, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if problems := cfg.Problems(); len(problems) > 0 {
		return nil, errors.New("twilio: " + strings.Join(problems, "; "))
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: cfg.Timeout}
	}
	endpoint := strings.TrimSuffix(cfg.BaseURL, "/") + "/2010-04-01/Accounts/" + cfg.AccountSID + "/Messages.json"
	return &Sender{cfg: cfg, endpoint: endpoint, client: client}, nil
}

// Problems lists every invalid setting of c; an empty BaseURL counts as the default.
func (c Config) Problems() []string {
	var p []string
	if !accountSIDPattern.MatchString(c.AccountSID) {
		p = append(p, "account SID must be AC followed by 32 hex digits")
	}
	if c.AuthToken == "" {
		p = append(p, "auth token is required")
	}
	if c.From == "" && c.MessagingServiceSID == "" {
		p = append(p, "a From number or a Messaging Service SID is required")
	}
	if c.MessagingServiceSID != "" && !serviceSIDPattern.MatchString(c.MessagingServiceSID) {
		p = append(p, "Messaging Service SID must be MG followed by 32 hex digits")
	}
	if c.BaseURL != "" {
		if err := checkBaseURL(c.BaseURL); err != nil {
			p = append(p, err.Error())
		}
	}
	return p
}

func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("base URL must be an absolute URL such as https://api.twilio.com")
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return errors.New("base URL must use https (plain http only for a loopback host)")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// apiError is Twilio's error body.
type apiError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
}

// maxBody bounds how much of an answer is read.
const maxBody = 64 << 10

// Send sends one SMS. m.From, when set, is the application's sender id and replaces the
// configured From.
func (s *Sender) Send(ctx context.Context, m model.OutboxMessage) error {
	if m.Kind != model.MessageSMS {
		return delivery.Permanent(fmt.Errorf("twilio: cannot send a message of kind %q", m.Kind))
	}
	form := url.Values{"To": {m.To}, "Body": {m.Text}}
	from := s.cfg.From
	if m.From != "" {
		from = m.From
	}
	if from != "" {
		form.Set("From", from)
	}
	if s.cfg.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", s.cfg.MessagingServiceSID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return delivery.Permanent(fmt.Errorf("twilio: build request: %w", err))
	}
	req.SetBasicAuth(s.cfg.AccountSID, s.cfg.AuthToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Latchkey")
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("twilio: send message: %w", err) // network errors are transient
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, maxBody))
	return classify(res.StatusCode, body)
}

// classify turns Twilio's answer into the outcome the worker needs.
func classify(status int, body []byte) error {
	if status >= 200 && status < 300 {
		return nil
	}
	var e apiError
	_ = json.Unmarshal(body, &e)
	var err error
	if e.Code != 0 || e.Message != "" {
		err = fmt.Errorf("twilio: HTTP %d, error %d: %s", status, e.Code, e.Message)
	} else {
		err = fmt.Errorf("twilio: HTTP %d", status)
	}
	switch {
	case status == http.StatusUnauthorized, status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return err
	case status >= 400 && status < 500:
		return delivery.Permanent(err)
	}
	return err
}
