package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/sdk/client"
	"github.com/latchkey/latchkey/sdk/middleware"
)

// The SDK's tests: its client and its middleware run against the real server, started as an
// operator starts it, on SQLite and on PostgreSQL, so that the SDK cannot drift from the API.

// sdkServer is a fresh server with SDK clients for its bootstrap application and its
// management application.
type sdkServer struct {
	p     *latchkeyProcess
	appID string
	// The application's client, for tests that make a client of their own.
	appClientID, appClientSecret string
	app, admin                   *client.Client
	issuer                       string
}

func startSDKServer(t *testing.T, st procStore) sdkServer {
	t.Helper()
	p := startLatchkeyServer(t, st, "", nil)
	boot := p.waitBootstrap()
	mk := func(id, secret string) *client.Client {
		c, err := client.New(client.Config{BaseURL: p.url, ClientID: id, ClientSecret: secret})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	disc := p.do("GET", "/.well-known/openid-configuration", "", nil)
	wantStatus(t, disc, 200, "")
	issuer, _ := disc.JSON(t)["issuer"].(string)
	return sdkServer{p: p, appID: boot.AppID, appClientID: boot.ClientID, appClientSecret: boot.ClientSecret, app: mk(boot.ClientID, boot.ClientSecret), admin: mk(boot.AdminClientID, boot.AdminClientSecret), issuer: issuer}
}

// wantAPIError fails unless err is an *client.Error with status and code.
func wantAPIError(t *testing.T, err error, status int, code string) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want a *client.Error", err, err)
	}
	if e.Status != status || e.Code != code {
		t.Fatalf("error %d %q (%v), want %d %q", e.Status, e.Code, e, status, code)
	}
	return e
}

// directLogin signs email in with a direct passcode through the SDK.
func directLogin(t *testing.T, c *client.Client, email string, login client.Login) *client.TokenResponse {
	t.Helper()
	ctx := context.Background()
	sent, err := c.SendOTP(ctx, client.OTPSend{Channel: client.ChannelDirect, IdentifierType: client.IdentifierEmail, Identifier: email})
	if err != nil {
		t.Fatal(err)
	}
	if sent.Code == "" {
		t.Fatalf("a direct send answered no code: %+v", sent)
	}
	tok, err := c.AuthenticateOTP(ctx, client.OTPLogin{Passcode: sent.Code, IdentifierType: client.IdentifierEmail, Identifier: email, Login: login})
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.IDToken == "" || tok.RefreshToken == "" || tok.SessionID == "" {
		t.Fatalf("a login answered incomplete tokens: %+v", tok)
	}
	return tok
}

func TestSDKClientAgainstTheServer(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st procStore) {
		s := startSDKServer(t, st)
		ctx := context.Background()

		// Users: create, read, update, search; conflicts and misses in the Users API's shape.
		ada, err := s.app.CreateUser(ctx, client.NewUser{Email: "ada@example.com", Name: &client.Name{FirstName: "Ada"}})
		if err != nil {
			t.Fatal(err)
		}
		if ada.UserID == "" || ada.Email == nil || ada.Email.Value != "ada@example.com" || ada.Status != client.StatusActive {
			t.Fatalf("created user %+v", ada)
		}
		_, err = s.app.CreateUser(ctx, client.NewUser{Email: "ada@example.com", Username: "someone-else"})
		if e := wantAPIError(t, err, 409, "user_already_exists"); e.NumericCode != 409 || e.RequestID == "" {
			t.Fatalf("a Users API conflict decoded as %+v", e)
		}
		_, err = s.app.GetUser(ctx, "no-such-user")
		if e := wantAPIError(t, err, 404, ""); e.NumericCode != 404 || len(e.Messages) != 1 {
			t.Fatalf("a Users API miss decoded as %+v", e)
		}
		_, err = s.app.CreateUser(ctx, client.NewUser{Email: "not an address"})
		if e := wantAPIError(t, err, 400, ""); len(e.Messages) == 0 {
			t.Fatalf("a Users API validation error decoded as %+v", e)
		}
		up, err := s.app.UpdateUser(ctx, ada.UserID, client.UserUpdate{Name: &client.Name{FirstName: "Ada", LastName: "Lovelace"}})
		if err != nil || up.Name == nil || up.Name.LastName != "Lovelace" {
			t.Fatalf("update: %+v, %v", up, err)
		}
		if got, err := s.app.GetUserByEmail(ctx, "ada@example.com"); err != nil || got.UserID != ada.UserID {
			t.Fatalf("lookup by email: %+v, %v", got, err)
		}
		page, err := s.app.SearchUsers(ctx, client.UserSearch{Search: `name.last_name eq "Lovelace"`})
		if err != nil || page.TotalCount != 1 || len(page.Users) != 1 || page.Users[0].UserID != ada.UserID {
			t.Fatalf("search: %+v, %v", page, err)
		}

		// Backend authentication errors carry their string code.
		_, err = s.app.AuthenticatePassword(ctx, client.PasswordLogin{Username: "ada@example.com", UsernameType: "email", Password: "Lantern-Quartz-7291"})
		wantAPIError(t, err, 400, "auth_invalid_credentials")
		if err := s.app.RegisterPassword(ctx, ada.UserID, client.PasswordRegistration{Password: "Lantern-Quartz-7291", ForceReplace: client.Bool(false)}); err != nil {
			t.Fatal(err)
		}
		pw, err := s.app.AuthenticatePassword(ctx, client.PasswordLogin{Username: "ada@example.com", UsernameType: "email", Password: "Lantern-Quartz-7291"})
		if err != nil || pw.SessionID == "" {
			t.Fatalf("password login: %+v, %v", pw, err)
		}

		// A passcode login, a step-up, a silent login, a refresh, a logout, introspection.
		otp := directLogin(t, s.app, "ada@example.com", client.Login{SessionID: pw.SessionID})
		if otp.SessionID != pw.SessionID {
			t.Fatalf("a step-up answered session %q, want %q", otp.SessionID, pw.SessionID)
		}
		silent, err := s.app.AuthenticateSession(ctx, client.SessionLogin{Login: client.Login{SessionID: pw.SessionID}})
		if err != nil || silent.AccessToken == "" {
			t.Fatalf("silent login: %+v, %v", silent, err)
		}
		next, err := s.app.Refresh(ctx, silent.RefreshToken)
		if err != nil || next.RefreshToken == "" || next.RefreshToken == silent.RefreshToken {
			t.Fatalf("refresh: %+v, %v", next, err)
		}
		in, err := s.app.Introspect(ctx, next.AccessToken)
		if err != nil || !in.Active || in.Subject != ada.UserID {
			t.Fatalf("introspection of a live token: %+v, %v", in, err)
		}
		if err := s.app.Logout(ctx, pw.SessionID); err != nil {
			t.Fatal(err)
		}
		if in, err := s.app.Introspect(ctx, next.AccessToken); err != nil || in.Active {
			t.Fatalf("introspection after logout: %+v, %v", in, err)
		}
		_, err = s.app.Refresh(ctx, next.RefreshToken)
		wantAPIError(t, err, 400, "invalid_grant")

		// A magic link, once the application has a redirect URI.
		_, err = s.app.SendMagicLink(ctx, client.MagicLinkSend{IdentifierType: client.IdentifierEmail, Identifier: "ada@example.com", RedirectURI: "https://app.example/cb", Channel: "direct"})
		wantAPIError(t, err, 400, "invalid_redirect_uri")
		if _, err := s.admin.UpdateApplication(ctx, s.appID, client.ApplicationUpdate{RedirectURIs: &[]string{"https://app.example/cb"}}); err != nil {
			t.Fatal(err)
		}
		link, err := s.app.SendMagicLink(ctx, client.MagicLinkSend{IdentifierType: client.IdentifierEmail, Identifier: "ada@example.com", RedirectURI: "https://app.example/cb", Channel: "direct"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(link.Link)
		if err != nil || u.Query().Get("code") == "" {
			t.Fatalf("direct link %q", link.Link)
		}
		if _, err := s.app.AuthenticateMagicLink(ctx, client.MagicLinkLogin{Code: u.Query().Get("code")}); err != nil {
			t.Fatal(err)
		}

		// Tenant-wide administration needs a client role that grants it, or the management
		// application: the application's client, with the default role, is refused.
		// The Applications API answers Mosaic's numeric error_code, so the error has no string code.
		_, err = s.app.CreateResource(ctx, client.NewResource{URI: "https://api.example"})
		if e := wantAPIError(t, err, 403, ""); e.NumericCode != 403 || !strings.Contains(e.Error(), "write:resource") {
			t.Errorf("creating a resource without write:resource: %v (numeric code %d), want 403 naming the permission", e, e.NumericCode)
		}
		other, err := s.admin.CreateApplication(ctx, client.NewApplication{AppName: "Other"})
		if err != nil || other.ClientSecret == "" {
			t.Fatalf("create application: %+v, %v", other, err)
		}
		oc, err := client.New(client.Config{BaseURL: s.p.url, ClientID: other.ClientID, ClientSecret: other.ClientSecret})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := oc.GetUser(ctx, ada.UserID); err == nil {
			t.Fatal("another application's client reads a user it is not linked to")
		}
		if err := s.admin.DeleteApplication(ctx, other.AppID); err != nil {
			t.Fatal(err)
		}
		_, err = oc.GetUser(ctx, ada.UserID)
		wantAPIError(t, err, 401, "invalid_client")

		// Bad credentials fail at the token endpoint, in OAuth's shape.
		bad, _ := client.New(client.Config{BaseURL: s.p.url, ClientID: other.ClientID, ClientSecret: "wrong"})
		_, err = bad.Token(ctx)
		wantAPIError(t, err, 401, "invalid_client")
	})
}

// TestSDKClientRenewsItsToken: the client keeps its token until shortly before expiry, then
// fetches another, and concurrent callers share one grant.
func TestSDKClientRenewsItsToken(t *testing.T) {
	t.Parallel()
	st := sqliteStore(t)
	p := startLatchkeyServer(t, st, "", nil)
	boot := p.waitBootstrap()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	grants := 0
	counting := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path == "/oidc/token" {
			mu.Lock()
			grants++
			mu.Unlock()
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	c, err := client.New(client.Config{BaseURL: p.url, ClientID: boot.ClientID, ClientSecret: boot.ClientSecret, HTTPClient: counting, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.SearchUsers(ctx, client.UserSearch{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	first, _ := c.Token(ctx)
	if grants != 1 {
		t.Fatalf("%d grants for eight concurrent calls, want 1", grants)
	}
	exp := jwtClaims(t, first)["exp"].(float64)
	mu.Lock()
	now = time.Unix(int64(exp), 0).Add(-30 * time.Second) // within the renewal margin
	mu.Unlock()
	second, err := c.Token(ctx)
	if err != nil || second == first || grants != 2 {
		t.Fatalf("near expiry: same token %v, %d grants, %v", second == first, grants, err)
	}
	if _, err := c.SearchUsers(ctx, client.UserSearch{}); err != nil {
		t.Fatalf("the renewed token: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// jwtClaims decodes a JWT's payload without checking it.
func jwtClaims(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
	}
	data, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func jwtKID(t *testing.T, raw string) string {
	t.Helper()
	data, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		KID string `json:"kid"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatal(err)
	}
	return h.KID
}

// TestSDKMiddlewareAgainstTheServer: a resource server protected by the middleware accepts the
// user access tokens Latchkey issues for its resource, checks the permissions of the user's
// roles, refuses tokens for anything else, and follows a signing-key rotation.
func TestSDKMiddlewareAgainstTheServer(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st procStore) {
		s := startSDKServer(t, st)
		ctx := context.Background()
		const api = "https://api.docs.example"
		res, err := s.admin.CreateResource(ctx, client.NewResource{URI: api, Name: "Documents"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.admin.SetApplicationResources(ctx, s.appID, []string{res.ResourceID}); err != nil {
			t.Fatal(err)
		}
		role, err := s.admin.CreateRole(ctx, s.appID, client.NewRole{RoleName: "editor", Permissions: []string{"documents:read", "documents:write"}})
		if err != nil {
			t.Fatal(err)
		}
		editor, err := s.app.CreateUser(ctx, client.NewUser{Email: "editor@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.app.CreateUser(ctx, client.NewUser{Email: "reader@example.com"}); err != nil {
			t.Fatal(err)
		}
		if err := s.admin.AssignRole(ctx, s.appID, role.RoleID, editor.UserID); err != nil {
			t.Fatal(err)
		}

		v, err := middleware.New(middleware.Config{Issuer: s.issuer, Audience: api, RefreshInterval: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		var jwksFetches int
		var mu sync.Mutex
		keysURL := s.issuer + "/cis/oidc/jwks"
		v2, err := middleware.New(middleware.Config{Issuer: s.issuer, Audience: api, HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			jwksFetches++
			mu.Unlock()
			return http.DefaultTransport.RoundTrip(r)
		})}})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		whoami := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := middleware.ClaimsFrom(r.Context())
			_, _ = io.WriteString(w, c.Subject)
		})
		mux.Handle("GET /documents", v.Require(middleware.Scopes("openid"))(whoami))
		mux.Handle("PUT /documents", v.Require(middleware.Permissions("documents:write"))(whoami))
		mux.Handle("GET /cached", v2.Require()(whoami))
		rs := httptest.NewServer(mux)
		defer rs.Close()
		call := func(method, path, tok string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, rs.URL+path, nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
		forAPI := client.Login{Resource: api, Claims: &client.Claims{AccessToken: map[string]any{"permissions": nil}}}
		ed := directLogin(t, s.app, "editor@example.com", forAPI)
		rd := directLogin(t, s.app, "reader@example.com", forAPI)
		if code, body := call("PUT", "/documents", ed.AccessToken); code != 200 || body != editor.UserID {
			t.Fatalf("the editor's token: %d %s", code, body)
		}
		if code, body := call("GET", "/documents", rd.AccessToken); code != 200 {
			t.Fatalf("the reader's token, reading: %d %s", code, body)
		}
		if code, body := call("PUT", "/documents", rd.AccessToken); code != 403 || !strings.Contains(body, "insufficient_scope") {
			t.Fatalf("the reader's token, writing: %d %s", code, body)
		}
		plain := directLogin(t, s.app, "editor@example.com", client.Login{})
		appTok, err := s.app.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for name, tok := range map[string]string{
			"no token": "", "an ID token": ed.IDToken, "a token for Latchkey's API": plain.AccessToken,
			"a client token": appTok, "a refresh token": ed.RefreshToken,
		} {
			if code, body := call("GET", "/documents", tok); code != 401 {
				t.Errorf("%s: %d %s, want 401", name, code, body)
			}
		}

		// The key set is fetched once for many tokens.
		for range 3 {
			if code, body := call("GET", "/cached", ed.AccessToken); code != 200 {
				t.Fatalf("cached verifier: %d %s", code, body)
			}
		}
		if jwksFetches != 1 {
			t.Fatalf("%d JWKS fetches for three requests, want 1 (from %s)", jwksFetches, keysURL)
		}

		// A rotation: the tenant's own key is published, then signs; tokens of the new key
		// pass at once (the unknown kid makes the verifier fetch the set again), and tokens
		// of the old key still pass until they expire.
		key, err := s.admin.CreateSigningKey(ctx, "rotation")
		if err != nil || key.Status != client.KeyValidating {
			t.Fatalf("create signing key: %+v, %v", key, err)
		}
		if _, err := s.admin.SetSigningKeyStatus(ctx, key.ID, client.KeySigning); err != nil {
			t.Fatal(err)
		}
		rotated := directLogin(t, s.app, "editor@example.com", forAPI)
		if kid := jwtKID(t, rotated.AccessToken); kid != key.KID || kid == jwtKID(t, ed.AccessToken) {
			t.Fatalf("after the rotation tokens are signed by %q, want %q", kid, key.KID)
		}
		if code, body := call("PUT", "/documents", rotated.AccessToken); code != 200 {
			t.Fatalf("a token of the rotated key: %d %s", code, body)
		}
		if code, body := call("PUT", "/documents", ed.AccessToken); code != 200 {
			t.Fatalf("a token of the previous key: %d %s", code, body)
		}

		// A client token the server stops accepting (its signing key deleted) is replaced
		// at once: the SDK answers the 401 with a new grant and sends the call again.
		var grants int
		fresh, err := client.New(client.Config{BaseURL: s.p.url, ClientID: s.appClientID, ClientSecret: s.appClientSecret,
			HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if r.URL.Path == "/oidc/token" {
					mu.Lock()
					grants++
					mu.Unlock()
				}
				return http.DefaultTransport.RoundTrip(r)
			})}})
		if err != nil {
			t.Fatal(err)
		}
		old, err := fresh.Token(ctx)
		if err != nil || jwtKID(t, old) != key.KID {
			t.Fatalf("a client token signed by %q (%v), want %q", jwtKID(t, old), err, key.KID)
		}
		next, err := s.admin.CreateSigningKey(ctx, "next")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.admin.SetSigningKeyStatus(ctx, next.ID, client.KeySigning); err != nil {
			t.Fatal(err)
		}
		if err := s.admin.Do(ctx, "DELETE", "/cis/v1/applications/signing-keys/"+key.ID, nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := fresh.GetUser(ctx, editor.UserID); err != nil {
			t.Fatalf("a call after the client token's key was deleted: %v", err)
		}
		now, _ := fresh.Token(ctx)
		if grants != 2 || jwtKID(t, now) != next.KID {
			t.Fatalf("%d grants, token of key %q; want 2 grants and key %q", grants, jwtKID(t, now), next.KID)
		}
	})
}
