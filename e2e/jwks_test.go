package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

// verifyFromDiscovery checks a token the way a relying party of any tenant does: with go-oidc,
// knowing only the server's discovery document and JWKS (fetched now, from that server).
func verifyFromDiscovery(t *testing.T, e *env, raw string) {
	t.Helper()
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, e.url)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	v := provider.Verifier(&oidc.Config{SkipClientIDCheck: true, Now: e.clock.Now})
	if _, err := v.Verify(ctx, raw); err != nil {
		t.Fatalf("token of kid %s does not verify against the JWKS of the node that signed it: %v", jwtKid(t, raw), err)
	}
}

// TestJWKSSizeIndependentOfTenants: tenants share the deployment's signing keys, so adding
// tenants adds nothing to the published document, and every tenant's tokens verify against it.
func TestJWKSSizeIndependentOfTenants(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		e.appToken()
		before := e.do("GET", "/cis/oidc/jwks", "", nil)
		wantStatus(t, before, 200, "")
		for i := range 6 {
			b, err := e.tenancy.Bootstrap(context.Background(), fmt.Sprintf("tenant-%d", i), false)
			if err != nil {
				t.Fatal(err)
			}
			verifyFromDiscovery(t, e, e.clientToken(b.ClientID, b.ClientSecret))
		}
		after := e.do("GET", "/cis/oidc/jwks", "", nil)
		wantStatus(t, after, 200, "")
		if !bytes.Equal(before.Body, after.Body) {
			t.Fatalf("the JWKS grew from %d to %d bytes with six more tenants", len(before.Body), len(after.Body))
		}
	})
}

// TestJWKSConditionalGet: the document carries a strong ETag that changes with the key set
// and a short max-age; a client holding the current ETag gets 304 without a body.
func TestJWKSConditionalGet(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		e.appToken()
		first := e.do("GET", "/cis/oidc/jwks", "", nil)
		wantStatus(t, first, 200, "")
		tag := first.Header.Get("ETag")
		if tag == "" || strings.HasPrefix(tag, "W/") || !strings.HasPrefix(tag, `"`) {
			t.Fatalf("JWKS ETag %q, want a strong entity tag", tag)
		}
		if cc := first.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
			t.Fatalf("JWKS Cache-Control %q lacks a max-age", cc)
		}
		cond := func(etag string) response {
			req, err := http.NewRequest("GET", e.url+"/cis/oidc/jwks", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("If-None-Match", etag)
			return e.send(req)
		}
		same := cond(tag)
		if same.Status != http.StatusNotModified || len(same.Body) != 0 || same.Header.Get("ETag") != tag {
			t.Fatalf("If-None-Match with the current ETag: status %d, ETag %q, %d body bytes",
				same.Status, same.Header.Get("ETag"), len(same.Body))
		}
		if res := cond(`"something-else"`); res.Status != 200 || !bytes.Equal(res.Body, first.Body) {
			t.Fatalf("If-None-Match with another ETag: status %d", res.Status)
		}

		// A rotation changes the key set, the document and its ETag.
		if err := e.tokens.RotateDeployment(context.Background(), ""); err != nil {
			t.Fatal(err)
		}
		changed := cond(tag)
		if changed.Status != 200 || changed.Header.Get("ETag") == tag || bytes.Equal(changed.Body, first.Body) {
			t.Fatalf("after a rotation: status %d, ETag %q (was %q)", changed.Status, changed.Header.Get("ETag"), tag)
		}
	})
}

// TestNewTenantFirstTokenVerifies: a tenant created by another node (or `latchkey init`)
// while this server runs gets, from this server, a first token that verifies against the JWKS
// this same server publishes at that moment, with no cache expiry in between.
func TestNewTenantFirstTokenVerifies(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		// The server has published its JWKS and signed tokens before the tenant exists.
		verifyFromDiscovery(t, e, e.appToken())

		// Another node: its own key manager and tenancy service over the same database.
		otherTokens, err := token.NewManager(e.store, e.keys, token.Options{Issuer: e.url, Now: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		other := tenancy.New(e.store, e.keys, otherTokens, tenancy.Options{Now: e.clock.Now})
		b, err := other.Bootstrap(context.Background(), "created-elsewhere", false)
		if err != nil {
			t.Fatal(err)
		}
		verifyFromDiscovery(t, e, e.clientToken(b.ClientID, b.ClientSecret))
	})
}
