package token

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/latchkey/latchkey/internal/model"
)

// TestIndependentVerifier checks Latchkey's tokens, JWKS and discovery document with go-oidc,
// an implementation written without reference to ours.
func TestIndependentVerifier(t *testing.T) {
	e := newEnv(t, newMemStore())
	var m *Manager
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+JWKSPath, func(w http.ResponseWriter, r *http.Request) {
		set, err := m.JWKS(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(set)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(m.Discovery(srv.URL))
	})
	m = e.manager(func(o *Options) { o.Issuer = srv.URL })

	ctx := oidc.ClientContext(context.Background(), srv.Client())
	config := &oidc.Config{ClientID: "client-1", Now: e.clock.Now, SupportedSigningAlgs: []string{"RS256", "ES256", "EdDSA"}}
	remote := oidc.NewVerifier(srv.URL, oidc.NewRemoteKeySet(ctx, srv.URL+JWKSPath), config)
	provider, err := oidc.NewProvider(ctx, srv.URL)
	if err != nil {
		t.Fatalf("go-oidc rejects the discovery document: %v", err)
	}
	discovered := provider.Verifier(&oidc.Config{ClientID: "client-1", Now: e.clock.Now})

	for _, alg := range []string{model.AlgRS256, model.AlgES256, model.AlgEdDSA} {
		tid := e.tenant(alg)
		raw := e.sign(m, tid)
		for name, v := range map[string]*oidc.IDTokenVerifier{"remote key set": remote, "discovered": discovered} {
			tok, err := v.Verify(ctx, raw)
			if err != nil {
				t.Errorf("%s, %s: %v", alg, name, err)
				continue
			}
			var claims struct {
				TenantID string `json:"tid"`
			}
			if err := tok.Claims(&claims); err != nil || tok.Subject != "user-1" || claims.TenantID != tid {
				t.Errorf("%s, %s: sub=%q tid=%q err=%v", alg, name, tok.Subject, claims.TenantID, err)
			}
		}
	}

	// go-oidc must reject what we reject too: a tampered token.
	raw := e.sign(m, e.tenant(model.AlgES256))
	tampered := raw[:len(raw)-4] + strings.Repeat("A", 4)
	if tampered == raw {
		tampered = raw[:len(raw)-4] + "BBBB"
	}
	if _, err := remote.Verify(ctx, tampered); err == nil {
		t.Error("go-oidc accepted a tampered token")
	}
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	doc := m.Discovery("https://public.example.test/")
	if doc["issuer"] != testIssuer {
		t.Errorf("issuer = %v", doc["issuer"])
	}
	if doc["jwks_uri"] != "https://public.example.test/cis/oidc/jwks" || doc["token_endpoint"] != "https://public.example.test/oidc/token" {
		t.Errorf("endpoints: %v %v", doc["jwks_uri"], doc["token_endpoint"])
	}
	if _, ok := doc["authorization_endpoint"]; ok {
		t.Error("discovery names an authorization endpoint Latchkey does not have")
	}
	for _, field := range []string{"response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported",
		"grant_types_supported", "token_endpoint_auth_methods_supported", "claims_parameter_supported", "claims_supported", "scopes_supported"} {
		if _, ok := doc[field]; !ok {
			t.Errorf("missing %s", field)
		}
	}
	if doc := m.Discovery(""); doc["jwks_uri"] != testIssuer+JWKSPath {
		t.Errorf("without base URL, jwks_uri = %v", doc["jwks_uri"])
	}
}

func TestTenantJWKS(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	a, b := e.tenant(model.AlgRS256), e.tenant(model.AlgEdDSA)
	for _, tid := range []string{a, b} {
		if err := m.EnsureKeys(e.ctx, tid); err != nil {
			t.Fatal(err)
		}
	}
	setA, err := m.TenantJWKS(e.ctx, a)
	if err != nil || len(setA.Keys) != 2 {
		t.Fatalf("TenantJWKS(a): %d keys, %v", len(setA.Keys), err)
	}
	all, _ := m.JWKS(e.ctx)
	if len(all.Keys) != 4 {
		t.Errorf("JWKS has %d keys, want 4", len(all.Keys))
	}
	for _, k := range setA.Keys {
		if !k.IsPublic() || k.Use != "sig" || k.Algorithm != model.AlgRS256 || k.KeyID == "" {
			t.Errorf("published key %+v", k)
		}
		if !kids(all)[k.KeyID] {
			t.Errorf("key %s of tenant a missing from JWKS", k.KeyID)
		}
	}
	empty, err := m.TenantJWKS(e.ctx, "no-such-tenant")
	if err != nil || len(empty.Keys) != 0 {
		t.Errorf("unknown tenant: %d keys, %v", len(empty.Keys), err)
	}
}
