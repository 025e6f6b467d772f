package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/httpapi"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/cache"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

// clock is a settable time source shared by every service of a test server.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is one running Latchkey with a bootstrapped tenant.
type env struct {
	t       *testing.T
	url     string
	store   *sqlstore.Store
	tokens  *token.Manager
	keys    *secret.Keys // the master-key derived keys, for building another node's services
	master  []byte       // the master key itself
	tenancy *tenancy.Service
	mail    *deliverytest.Recorder
	sms     *deliverytest.Recorder
	clock   *clock
	boot    tenancy.Bootstrap
	api     *httpapi.Server
}

type envOptions struct {
	postgres bool
	// trustedProxies is the server's trusted proxy networks (none by default).
	trustedProxies []netip.Prefix
	// wrapStore, when set, stands between the services and the store, to inject faults.
	wrapStore func(storage.Store) storage.Store
	// database, when set, is an existing database to serve (a restored backup, say) instead of
	// a fresh one; masterKey, when set, is the master key instead of a new one.
	database  string
	masterKey []byte
	// issuer, when set, is the tokens' issuer (LATCHKEY_ISSUER) instead of the server's URL.
	issuer string
}

// backends runs f once per storage backend: SQLite always, PostgreSQL when configured.
func backends(t *testing.T, f func(t *testing.T, o envOptions)) {
	t.Run("sqlite", func(t *testing.T) { f(t, envOptions{}) })
	t.Run("postgres", func(t *testing.T) { f(t, envOptions{postgres: true}) })
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	raw := openEnvStore(t, o)
	var inner storage.Store = raw
	if o.wrapStore != nil {
		inner = o.wrapStore(raw)
	}
	// Services see the store as the binary wires it: through the node's configuration copy.
	store := cache.New(inner, time.Minute)
	master := o.masterKey
	if master == nil {
		master = secret.NewMasterKey()
	}
	keys, err := secret.NewKeys(master)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	issuer := base
	if o.issuer != "" {
		issuer = o.issuer
	}
	tokens, err := token.NewManager(store, keys, token.Options{Issuer: issuer, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	texts := delivery.BuiltinTexts()
	ten := tenancy.New(store, keys, tokens, tenancy.Options{Now: clk.Now, Languages: texts})
	dir := directory.New(store, directory.Options{Now: clk.Now})
	rec, sms := deliverytest.NewRecorder(), deliverytest.NewRecorder()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	worker := delivery.NewWorker(store, map[string]delivery.Sender{model.MessageEmail: rec, model.MessageSMS: sms, model.MessageSuppressed: delivery.Discard{}},
		delivery.WorkerOptions{Logger: log, PollInterval: 20 * time.Millisecond, Keys: keys,
			Kinds: []string{model.MessageEmail, model.MessageSMS, model.MessageSuppressed}}) // as the binary: webhooks have their own worker
	auditLog := audit.New(store, keys, clk.Now)
	au := auth.New(store, tokens, keys, ten, auth.Options{Issuer: issuer, Now: clk.Now, NotifyOutbox: worker.Notify, Audit: auditLog, Texts: texts})
	api := httpapi.New(httpapi.Config{
		Auth: au, Tenancy: ten, Directory: dir, Tokens: tokens, Audit: auditLog, Ready: raw.Ping,
		Logger: log, PublicURL: base, TrustedProxies: o.trustedProxies,
	})
	hs.Config.Handler = api.Handler()
	hs.Start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = worker.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; hs.Close() })

	boot, err := ten.Bootstrap(context.Background(), "default", false)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, url: base, store: raw, tokens: tokens, keys: keys, master: master, tenancy: ten, mail: rec, sms: sms, clock: clk, boot: boot, api: api}
}

// openEnvStore opens o.database, or else a fresh test store.
func openEnvStore(t *testing.T, o envOptions) *sqlstore.Store {
	t.Helper()
	if o.database == "" {
		return sqlstore.NewTestStore(t, o.postgres)
	}
	s, err := sqlstore.OpenAndMigrate(t.Context(), o.database)
	if err != nil {
		t.Fatalf("open %s: %v", o.database, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// response is a decoded HTTP response.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object (status %d): %s", r.Status, r.Body)
	}
	return m
}

// do sends a request with an optional bearer token and JSON body (a []byte body is sent as is).
func (e *env) do(method, path, bearer string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return e.send(req)
}

func (e *env) send(req *http.Request) response {
	e.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	out := response{Status: res.StatusCode, Header: res.Header, Body: data}
	checkAgainstOpenAPI(e.t, e.api, req, out)
	checkCachePolicy(e.t, e.api, req, out)
	return out
}

// form posts a form to path, with optional basic credentials.
func (e *env) form(path string, values url.Values, basicID, basicSecret string) response {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.url+path, strings.NewReader(values.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	return e.send(req)
}

// clientToken gets a client access token by client credentials.
func (e *env) clientToken(id, sec string) string {
	e.t.Helper()
	res := e.form("/oidc/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {sec}}, "", "")
	if res.Status != 200 {
		e.t.Fatalf("client credentials: %d %s", res.Status, res.Body)
	}
	return res.JSON(e.t)["access_token"].(string)
}

func (e *env) appToken() string { return e.clientToken(e.boot.ClientID, e.boot.ClientSecret) }
func (e *env) adminToken() string {
	return e.clientToken(e.boot.AdminClientID, e.boot.AdminClientSecret)
}

// wantStatus fails the test unless res has the status and, when code is set, that error code.
func wantStatus(t *testing.T, res response, status int, code string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	if code != "" {
		body := res.JSON(t)
		got := body["error_code"]
		if got == nil {
			got = body["error"]
		}
		if usersShape(body) {
			// The Users API's codes are the status, which is checked; a 409 names its
			// conflict in ts_error_code.
			if status == 409 && body["ts_error_code"] != code {
				t.Fatalf("ts_error_code %v, want %s: %s", body["ts_error_code"], code, res.Body)
			}
			return
		}
		if got != code {
			t.Fatalf("error code %v, want %s: %s", got, code, res.Body)
		}
	}
}

// messages returns an error body's message, or its list of messages joined by "; ".
func messages(t *testing.T, res response) string {
	t.Helper()
	switch m := res.JSON(t)["message"].(type) {
	case string:
		return m
	case []any:
		parts := make([]string, len(m))
		for i, v := range m {
			parts[i], _ = v.(string)
		}
		return strings.Join(parts, "; ")
	}
	t.Fatalf("error body has no message: %s", res.Body)
	return ""
}

// usersShape reports whether an error body is in the Users API's shape, whose error_code is
// the status as a number. Which routes answer in which shape is the OpenAPI document's to say,
// and every exchange is checked against it.
func usersShape(body map[string]any) bool {
	_, numeric := body["error_code"].(float64)
	return numeric
}
