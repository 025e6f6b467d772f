package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client sends the benchmark's requests to one Latchkey. Its transport keeps one idle
// connection per worker, so that a run measures requests, not TCP handshakes.
type Client struct {
	base string
	http *http.Client
}

// NewClient returns a client of the server at baseURL for up to conns concurrent requests.
func NewClient(baseURL string, conns int) *Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &Client{base: strings.TrimSuffix(baseURL, "/"), http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// Close drops the idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// StatusError is a response outside 2xx.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string { return fmt.Sprintf("status %d: %s", e.Status, e.Body) }

// JSON sends body (nil for none) as JSON with an optional bearer token and decodes a 2xx
// answer into out (nil to discard it).
func (c *Client) JSON(ctx context.Context, method, path, bearer string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return c.do(req, out)
}

// Form posts an urlencoded form with HTTP basic client authentication.
func (c *Client) Form(ctx context.Context, path, user, pass string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	return c.do(req, out)
}

func (c *Client) do(req *http.Request, out any) error {
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return &StatusError{Status: res.StatusCode, Body: strings.TrimSpace(string(truncate(data, 300)))}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode %s %s: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// ClientToken returns a client access token from the client-credentials grant.
func (c *Client) ClientToken(ctx context.Context, id, secret string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.Form(ctx, "/oidc/token", id, secret, url.Values{"grant_type": {"client_credentials"}}, &out); err != nil {
		return "", fmt.Errorf("client token: %w", err)
	}
	return out.AccessToken, nil
}

// Tokens is the body of a login, refresh or session authentication.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	SessionID    string `json:"session_id"`
}
