package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
)

var _ delivery.Sender = (*Sender)(nil)

// DefaultTimeout bounds one request when the caller's context allows longer; the
// specification recommends 15 to 30 seconds.
const DefaultTimeout = 30 * time.Second

// Config configures a Sender.
type Config struct {
	URL    string // absolute http or https URL that receives the messages
	Secret string // "whsec_..." signing secret
	// Client sends the requests; nil means a client with Timeout that follows no redirect.
	Client  *http.Client
	Timeout time.Duration    // per request; DefaultTimeout when zero
	Now     func() time.Time // the attempt's time, for webhook-timestamp; time.Now when nil
}

// Sender POSTs signed messages to one URL. It is safe for concurrent use.
type Sender struct {
	url    string
	key    []byte
	client *http.Client
	now    func() time.Time
}

// New checks cfg and returns a Sender.
func New(cfg Config) (*Sender, error) {
	if err := CheckURL(cfg.URL); err != nil {
		return nil, err
	}
	key, err := ParseSecret(cfg.Secret)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	client := cfg.Client
	if client == nil {
		client = newClient(cfg.Timeout)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Sender{url: cfg.URL, key: key, client: client, now: cfg.Now}, nil
}

// CheckURL reports whether raw can receive webhooks: an absolute http or https URL without
// credentials or fragment.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("webhook URL must be an absolute http or https URL")
	}
	if u.User != nil || u.Fragment != "" {
		return errors.New("webhook URL must not carry credentials or a fragment")
	}
	return nil
}

// Message is the JSON body of a delivery webhook.
type Message struct {
	Type      string    `json:"type"` // model.MessageSMS or model.MessageEmail
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	To        string    `json:"to"`
	From      string    `json:"from"` // the sender id or sender name the application chose; may be empty
	Subject   string    `json:"subject"`
	Text      string    `json:"text"`
	HTML      string    `json:"html"`
	CreatedAt time.Time `json:"created_at"`
}

// MessageOf returns the webhook body of an outbox message.
func MessageOf(m model.OutboxMessage) Message {
	return Message{
		Type: m.Kind, ID: m.ID, TenantID: m.TenantID, To: m.To, From: m.From,
		Subject: m.Subject, Text: m.Text, HTML: m.HTML, CreatedAt: m.CreatedAt.UTC(),
	}
}

// maxErrorBody bounds how much of a failed answer is kept for the log.
const maxErrorBody = 512

// Send POSTs m to the configured URL and classifies the answer.
func (s *Sender) Send(ctx context.Context, m model.OutboxMessage) error {
	body, err := json.Marshal(MessageOf(m))
	if err != nil {
		return delivery.Permanent(fmt.Errorf("webhook: encode message: %w", err))
	}
	return post(ctx, s.client, s.url, s.key, m.ID, s.now(), body)
}

// post sends one signed body and classifies the answer.
func post(ctx context.Context, client *http.Client, url string, key []byte, id string, now time.Time, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return delivery.Permanent(fmt.Errorf("webhook: build request: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Latchkey")
	SetHeaders(req.Header, key, id, now, body)
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: post message: %w", err) // network errors are transient
	}
	defer res.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // let the connection be reused
	return classify(res.StatusCode, excerpt)
}

// classify turns a status into the outcome the worker needs.
func classify(status int, body []byte) error {
	if status >= 200 && status < 300 {
		return nil
	}
	err := fmt.Errorf("webhook: receiver answered HTTP %d: %q", status, body)
	if status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests {
		return delivery.Permanent(err)
	}
	return err
}

// newClient returns the HTTP client of webhook senders. A redirect is the receiver's
// misconfiguration: following it would send signed messages somewhere nobody configured.
func newClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
