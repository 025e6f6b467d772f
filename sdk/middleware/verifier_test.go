package middleware

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// issuer is a stand-in for Latchkey's signing side: keys it signs with and the JWKS it
// publishes, counting fetches. The end-to-end tests run the Verifier against the real server.
type issuer struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	keys    map[string]*ecdsa.PrivateKey
	signing string
	fetches atomic.Int32
	down    atomic.Bool
}

func newIssuer(t *testing.T) *issuer {
	is := &issuer{t: t, keys: map[string]*ecdsa.PrivateKey{}}
	is.rotate("k1")
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is.fetches.Add(1)
		if is.down.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		is.mu.Lock()
		defer is.mu.Unlock()
		var set jose.JSONWebKeySet
		for kid, k := range is.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Algorithm: "ES256", Use: "sig"})
		}
		w.Header().Set("Cache-Control", "public, max-age=60")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(is.srv.Close)
	return is
}

// rotate adds a key named kid and signs with it from now on.
func (is *issuer) rotate(kid string) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		is.t.Fatal(err)
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys[kid], is.signing = k, kid
}

// sign signs claims over a valid user access token's, changed by edit.
func (is *issuer) sign(now time.Time, edit func(map[string]any)) string {
	is.mu.Lock()
	key, kid := is.keys[is.signing], is.signing
	is.mu.Unlock()
	c := map[string]any{
		"iss": "https://auth.example", "sub": "user-1", "aud": "https://api.example", "tid": "t1",
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "jti": "j1", "sid": "sr_x",
		"scope": "openid offline_access", "token_use": "access", "roles": []string{"r1"},
		"permissions": []string{"documents:read"}, "client_id": "c1", "app_id": "a1", "amr": []string{"pwd"},
	}
	if edit != nil {
		edit(c)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		is.t.Fatal(err)
	}
	raw, err := jwt.Signed(sig).Claims(c).Serialize()
	if err != nil {
		is.t.Fatal(err)
	}
	return raw
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Unix(1_800_000_000, 0)} }

func newVerifier(t *testing.T, is *issuer, clk *clock, edit func(*Config)) *Verifier {
	cfg := Config{Issuer: "https://auth.example", Audience: "https://api.example", JWKSURL: is.srv.URL, Now: clk.Now}
	if edit != nil {
		edit(&cfg)
	}
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifyAcceptsAUserAccessToken(t *testing.T) {
	is, clk := newIssuer(t), newClock()
	v := newVerifier(t, is, clk, nil)
	c, err := v.Verify(context.Background(), is.sign(clk.Now(), nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "user-1" || c.TenantID != "t1" || c.Session != "sr_x" || !c.HasScope("openid") ||
		!c.HasPermission("documents:read") || !c.HasRole("r1") || c.ClientID != "c1" || c.Raw["app_id"] != "a1" {
		t.Fatalf("claims %+v", c)
	}
}

func TestVerifyRefusesWhatIsNotThisServersAccessToken(t *testing.T) {
	is, clk := newIssuer(t), newClock()
	v := newVerifier(t, is, clk, func(c *Config) { c.TenantID = "t1" })
	now := clk.Now()
	hmac := func() string {
		sig, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(strings.Repeat("k", 32))}, nil)
		raw, _ := jwt.Signed(sig).Claims(map[string]any{"iss": "https://auth.example", "aud": "https://api.example", "exp": now.Add(time.Hour).Unix(), "token_use": "access"}).Serialize()
		return raw
	}()
	for name, raw := range map[string]string{
		"another audience":   is.sign(now, func(c map[string]any) { c["aud"] = "https://other.example" }),
		"another issuer":     is.sign(now, func(c map[string]any) { c["iss"] = "https://evil.example" }),
		"an ID token":        is.sign(now, func(c map[string]any) { c["token_use"] = "id" }),
		"a client token":     is.sign(now, func(c map[string]any) { c["token_use"] = "client" }),
		"another tenant":     is.sign(now, func(c map[string]any) { c["tid"] = "t2" }),
		"no exp":             is.sign(now, func(c map[string]any) { delete(c, "exp") }),
		"expired":            is.sign(now, func(c map[string]any) { c["exp"] = now.Add(-2 * DefaultLeeway).Unix() }),
		"not yet valid":      is.sign(now, func(c map[string]any) { c["nbf"] = now.Add(2 * DefaultLeeway).Unix() }),
		"issued in a minute": is.sign(now, func(c map[string]any) { c["iat"] = now.Add(2 * DefaultLeeway).Unix() }),
		"HMAC signed":        hmac,
		"tampered":           is.sign(now, nil)[:40] + "x" + is.sign(now, nil)[41:],
		"not a JWT":          "abc.def",
	} {
		if _, err := v.Verify(context.Background(), raw); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: err %v, want ErrInvalidToken", name, err)
		}
	}
}

func TestVerifyAllowsClockSkewWithinTheLeeway(t *testing.T) {
	is, clk := newIssuer(t), newClock()
	now := clk.Now()
	skewed := is.sign(now, func(c map[string]any) {
		c["exp"] = now.Add(-DefaultLeeway / 2).Unix()
		c["nbf"] = now.Add(DefaultLeeway / 2).Unix()
		c["iat"] = now.Add(DefaultLeeway / 2).Unix()
	})
	if _, err := newVerifier(t, is, clk, nil).Verify(context.Background(), skewed); err != nil {
		t.Fatalf("a token within the default leeway: %v", err)
	}
	strict := newVerifier(t, is, clk, func(c *Config) { c.Leeway = -1 })
	if _, err := strict.Verify(context.Background(), skewed); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("with no leeway the same token: %v", err)
	}
}

func TestKeySetIsCachedAndRefetchedForANewKey(t *testing.T) {
	is, clk := newIssuer(t), newClock()
	v := newVerifier(t, is, clk, nil)
	ctx := context.Background()
	for range 5 {
		if _, err := v.Verify(ctx, is.sign(clk.Now(), nil)); err != nil {
			t.Fatal(err)
		}
	}
	if n := is.fetches.Load(); n != 1 {
		t.Fatalf("%d JWKS fetches for five tokens of one key, want 1", n)
	}
	// A made-up key id right after a fetch fetches nothing.
	forged := is.sign(clk.Now(), nil)
	is.rotate("k2")
	clk.Advance(time.Second)
	if _, err := v.Verify(ctx, is.sign(clk.Now(), nil)); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("a new key within the refresh interval: %v", err)
	}
	if n := is.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches after an unknown key within the interval, want 1", n)
	}
	// After the interval, the new key is fetched; tokens of the old one still pass.
	clk.Advance(DefaultRefreshInterval)
	if _, err := v.Verify(ctx, is.sign(clk.Now(), nil)); err != nil {
		t.Fatalf("the rotated key: %v", err)
	}
	if _, err := v.Verify(ctx, forged); err != nil {
		t.Fatalf("a token of the previous key: %v", err)
	}
	if n := is.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
	// Past max-age the set is fetched again; if that fails, the held keys keep working.
	is.down.Store(true)
	clk.Advance(2 * time.Minute)
	if _, err := v.Verify(ctx, is.sign(clk.Now(), nil)); err != nil {
		t.Fatalf("with the JWKS unreachable, a held key: %v", err)
	}
	if n := is.fetches.Load(); n != 3 {
		t.Fatalf("%d fetches after max-age, want 3", n)
	}
}

func TestRequireAnswersAsRFC6750Says(t *testing.T) {
	is, clk := newIssuer(t), newClock()
	v := newVerifier(t, is, clk, nil)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := ClaimsFrom(r.Context())
		_, _ = w.Write([]byte(c.Subject))
	})
	h := v.Require(Scopes("openid"), Permissions("documents:read"))(ok)
	writer := v.Require(Permissions("documents:write"))(ok)
	call := func(h http.Handler, auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/doc", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	tok := is.sign(clk.Now(), nil)
	if rec := call(h, "Bearer "+tok); rec.Code != 200 || rec.Body.String() != "user-1" {
		t.Fatalf("a good token: %d %s", rec.Code, rec.Body)
	}
	if rec := call(h, ""); rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("no token: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	if rec := call(h, "Bearer "+tok+"x"); rec.Code != 401 || !strings.Contains(rec.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("a bad token: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	if rec := call(writer, "Bearer "+tok); rec.Code != 403 || !strings.Contains(rec.Header().Get("WWW-Authenticate"), `error="insufficient_scope"`) {
		t.Fatalf("a token without the permission: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
}
