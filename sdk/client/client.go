package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Config says which server the client talks to and as which OAuth client.
type Config struct {
	// BaseURL is the server's public URL, such as https://auth.example.com. Required.
	BaseURL string
	// ClientID and ClientSecret are the credentials of the client to act as: an
	// application's client for the backend authentication and Users APIs, a management
	// application's client for the administration API. Required.
	ClientID     string
	ClientSecret string
	// Resource, when set, asks for client access tokens for that resource (RFC 8707).
	Resource string
	// HTTPClient sends the requests; http.DefaultClient when nil.
	HTTPClient *http.Client
	// Now is the clock that decides when the client token is due for renewal; time.Now when
	// nil.
	Now func() time.Time
}

// renewBefore is how long before its expiry a client token is replaced, so that a token never
// expires between being picked and reaching the server, even with a slow network or a clock
// a little behind the server's.
const renewBefore = 60 * time.Second

// Client calls Latchkey's API as one OAuth client. It is safe for concurrent use.
type Client struct {
	base   string
	cfg    Config
	http   *http.Client
	now    func() time.Time
	mu     sync.Mutex // guards tok and expiry
	tok    string
	expiry time.Time
}

// New returns a Client for cfg. It makes no request: the first call fetches the token.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("latchkey client: base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("latchkey client: a client id and secret are required")
	}
	c := &Client{base: strings.TrimRight(cfg.BaseURL, "/"), cfg: cfg, http: cfg.HTTPClient, now: cfg.Now}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Token returns the client access token the client currently uses, fetching one when it has
// none or the one it has is about to expire.
func (c *Client) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// The lock is held while fetching, so that concurrent callers wait for one grant instead
	// of each running their own.
	if c.tok != "" && c.now().Before(c.expiry.Add(-renewBefore)) {
		return c.tok, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if c.cfg.Resource != "" {
		form.Set("resource", c.cfg.Resource)
	}
	var res TokenResponse
	if err := c.postForm(ctx, "/oidc/token", form, &res); err != nil {
		return "", err
	}
	if res.AccessToken == "" {
		return "", errors.New("latchkey client: the token endpoint answered no access_token")
	}
	c.tok, c.expiry = res.AccessToken, c.now().Add(time.Duration(res.ExpiresIn)*time.Second)
	return c.tok, nil
}

// forget drops tok if it is still the client's token, so that the next call fetches another.
func (c *Client) forget(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok == tok {
		c.tok = ""
	}
}

// postForm posts a form authenticated with the client's own credentials (client_secret_basic),
// as the token, introspection and revocation endpoints take it, and decodes the answer into
// out.
func (c *Client) postForm(ctx context.Context, path string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret))
	return c.exchange(req, out)
}

// Do sends a request to path (with its query, if any) with the client's token and a JSON body
// when in is not nil, and decodes a JSON answer into out when out is not nil. An answer of
// 400 or above is returned as an *Error. A 401 answer makes the client fetch a new token and
// send the request once more.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("latchkey client: encode request: %w", err)
		}
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.Token(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		err = c.exchange(req, out)
		var apiErr *Error
		if attempt == 0 && errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized {
			c.forget(tok)
			continue
		}
		return err
	}
}

// exchange sends req and decodes its answer.
func (c *Client) exchange(req *http.Request, out any) error {
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("latchkey client: %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	// Answers are small; the bound keeps a misdirected request from reading without end.
	data, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("latchkey client: %s %s: read answer: %w", req.Method, req.URL.Path, err)
	}
	if res.StatusCode >= 400 {
		return decodeError(res, data)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("latchkey client: %s %s: decode answer: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// result is the {"result": ...} envelope most Mosaic answers come in.
type result[T any] struct {
	Result T `json:"result"`
}

// pathEscape escapes one path segment.
func pathEscape(s string) string { return url.PathEscape(s) }
