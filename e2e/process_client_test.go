package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/tenancy"
)

// procOutput collects what a process writes to one of its streams.
type procOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newProcOutput() *procOutput { return &procOutput{} }

func (o *procOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *procOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// lines returns the complete lines written so far.
func (o *procOutput) lines() []string {
	s := o.String()
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return strings.Split(s[:i], "\n")
	}
	return nil
}

// jsonLines decodes the complete lines written so far, failing the test on any that is not a
// JSON object.
func (o *procOutput) jsonLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for i, line := range o.lines() {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %q", i+1, line)
		}
		out = append(out, m)
	}
	return out
}

var processHTTP = &http.Client{Timeout: processWait}

// do sends a request to the server, with an optional bearer token and JSON body.
func (p *latchkeyProcess) do(method, path, bearer string, body any) response {
	p.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			p.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, p.url+path, rd)
	if err != nil {
		p.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return p.send(req)
}

func (p *latchkeyProcess) send(req *http.Request) response {
	p.t.Helper()
	res, err := processHTTP.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// tokenResponse runs the client-credentials grant.
func (p *latchkeyProcess) tokenResponse(id, secret string) response {
	p.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	req, err := http.NewRequest("POST", p.url+"/oidc/token", strings.NewReader(form.Encode()))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.send(req)
}

// token returns a client access token, failing the test unless the credentials work.
func (p *latchkeyProcess) token(id, secret string) string {
	p.t.Helper()
	res := p.tokenResponse(id, secret)
	wantStatus(p.t, res, 200, "")
	tok, _ := res.JSON(p.t)["access_token"].(string)
	if tok == "" {
		p.t.Fatalf("token response lacks access_token: %s", res.Body)
	}
	return tok
}

func (p *latchkeyProcess) createUser(token, email string) string {
	p.t.Helper()
	res := p.do("POST", "/cis/v1/users", token, map[string]any{"email": email})
	wantStatus(p.t, res, 201, "")
	id, _ := res.JSON(p.t)["result"].(map[string]any)["user_id"].(string)
	if id == "" {
		p.t.Fatalf("created user has no id: %s", res.Body)
	}
	return id
}

func (p *latchkeyProcess) sendEmailOTP(token, email string) {
	p.t.Helper()
	res := p.do("POST", "/cis/v1/auth/otp/send", token, map[string]any{"channel": "email", "identifier_type": "email", "identifier": email})
	wantStatus(p.t, res, 200, "")
}

// authenticateOTP redeems a code and fails the test unless it yields a full set of tokens.
func (p *latchkeyProcess) authenticateOTP(token, email, code string) {
	p.t.Helper()
	res := p.do("POST", "/cis/v1/auth/otp/authenticate", token, map[string]any{"passcode": code, "identifier_type": "email", "identifier": email})
	wantStatus(p.t, res, 200, "")
	body := res.JSON(p.t)
	for _, k := range []string{"access_token", "id_token", "refresh_token"} {
		if s, _ := body[k].(string); s == "" {
			p.t.Fatalf("authentication of %s returned no %s: %s", email, k, res.Body)
		}
	}
}

// bootstrapField matches one line of the block a first start prints.
var bootstrapField = regexp.MustCompile(`(?m)^\s+(tenant_id|admin_client_id|admin_client_secret|app_id|client_id|client_secret)\s+(\S+)\s*$`)

// parseBootstrap reads the bootstrap block from text and reports whether it has all six values.
func parseBootstrap(text string) (tenancy.Bootstrap, bool) {
	var b tenancy.Bootstrap
	fields := map[string]*string{
		"tenant_id": &b.TenantID, "admin_client_id": &b.AdminClientID, "admin_client_secret": &b.AdminClientSecret,
		"app_id": &b.AppID, "client_id": &b.ClientID, "client_secret": &b.ClientSecret,
	}
	for _, m := range bootstrapField.FindAllStringSubmatch(text, -1) {
		*fields[m[1]] = m[2]
	}
	for _, v := range fields {
		if *v == "" {
			return b, false
		}
	}
	return b, true
}

// waitBootstrap waits for a first start to print its bootstrap block and returns it.
func (p *latchkeyProcess) waitBootstrap() tenancy.Bootstrap {
	p.t.Helper()
	var b tenancy.Bootstrap
	pollUntil(p.t, processWait, "the bootstrap block on standard output", func() bool {
		var ok bool
		b, ok = parseBootstrap(p.stdout.String())
		return ok
	})
	return b
}

// logRecords returns the JSON log records the process has written to standard error so far;
// lines that are not JSON are skipped.
func (p *latchkeyProcess) logRecords() []map[string]any {
	var out []map[string]any
	for _, line := range p.stderr.lines() {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}
