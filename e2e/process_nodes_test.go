package e2e

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
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/secret"
)

// nodeHTTP sends the requests of tests that talk to latchkey processes from many goroutines at
// once: enough idle connections per process for a burst of parallel requests, every request
// bounded, and no proxy (the processes listen on loopback).
var nodeHTTP = &http.Client{
	Timeout: processWait,
	Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     30 * time.Second,
	},
}

// nodeRequest sends a request to a latchkey process with an optional bearer token and JSON
// body. It is safe to call from any goroutine: it reports failures instead of failing a test.
func nodeRequest(ctx context.Context, p *latchkeyProcess, method, path, bearer string, body any) (response, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.url+path, rd)
	if err != nil {
		return response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return nodeSend(req)
}

func nodeSend(req *http.Request) (response, error) {
	res, err := nodeHTTP.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: read answer: %w", req.Method, req.URL.Path, err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: data}, nil
}

// nodeCall is nodeRequest for the goroutine of test t, which fails when no answer comes.
func nodeCall(t *testing.T, p *latchkeyProcess, method, path, bearer string, body any) response {
	t.Helper()
	res, err := nodeRequest(context.Background(), p, method, path, bearer, body)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// nodeToken returns a client access token issued by p, failing t unless the credentials work.
func nodeToken(t *testing.T, p *latchkeyProcess, id, secretText string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secretText}}
	req, err := http.NewRequest("POST", p.url+"/oidc/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := nodeSend(req)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, res, 200, "")
	return jsonString(t, res, "access_token")
}

// jsonString returns a non-empty string member of a JSON answer, failing t otherwise.
func jsonString(t *testing.T, res response, key string) string {
	t.Helper()
	s, _ := res.JSON(t)[key].(string)
	if s == "" {
		t.Fatalf("answer (status %d) lacks %s: %s", res.Status, key, res.Body)
	}
	return s
}

// nodeCreateUser creates a user with an email address through p.
func nodeCreateUser(t *testing.T, p *latchkeyProcess, token, email string) {
	t.Helper()
	wantStatus(t, nodeCall(t, p, "POST", "/cis/v1/users", token, map[string]any{"email": email}), 201, "")
}

// otpSendBody is the body of an OTP send to an email identifier over channel.
func otpSendBody(channel, email string) map[string]any {
	return map[string]any{"channel": channel, "identifier_type": "email", "identifier": email}
}

// otpAuthBody is the body of an OTP redemption for an email identifier.
func otpAuthBody(email, code string) map[string]any {
	return map[string]any{"passcode": code, "identifier_type": "email", "identifier": email}
}

// newMasterKeyText returns a fresh master key as LATCHKEY_MASTER_KEY takes it.
func newMasterKeyText() string { return secret.EncodeMasterKey(secret.NewMasterKey()) }
