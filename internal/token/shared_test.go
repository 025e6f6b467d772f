package token

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/latchkey/latchkey/internal/model"
)

// The JWKS of a deployment whose tenants share its keys holds the deployment's keys only, is
// serialised once, and is neither rebuilt nor read from storage per request.
func TestJWKSIndependentOfTenantCount(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		m := e.manager()
		first := e.sign(m, e.tenant(""))
		doc, etag, err := m.JWKSDocument(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(doc, &set); err != nil || len(set.Keys) != 2 {
			t.Fatalf("JWKS of a new deployment: %d keys (%v), want a signing and a validating key", len(set.Keys), err)
		}
		if !kids(set)[header(t, first).KeyID] {
			t.Fatalf("JWKS lacks the signing key %s", header(t, first).KeyID)
		}
		for range 50 {
			e.sign(m, e.tenant(""))
		}
		e.clock.Advance(DefaultCacheTTL) // the node reloads its keys
		reads := e.store.lists.Load()
		for range 100 {
			again, tag, err := m.JWKSDocument(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if &again[0] != &doc[0] || tag != etag {
				t.Fatal("the JWKS was serialised again although no key changed")
			}
		}
		if n := e.store.lists.Load() - reads; n != 1 {
			t.Errorf("100 JWKS requests read the keys %d times, want 1", n)
		}
	})
}

// A node signs only with keys from the snapshot whose document it serves: whatever other
// nodes did meanwhile, the kid of a token it just signed is in the JWKS it serves right after.
func TestSignedKeyPublishedBySameNode(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		a, b := e.manager(), e.manager()
		e.sign(a, e.tenant(""))
		if _, _, err := a.JWKSDocument(e.ctx); err != nil {
			t.Fatal(err)
		}
		check := func(what, tid string) {
			t.Helper()
			raw := e.sign(a, tid)
			doc, _, err := a.JWKSDocument(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(doc, &set); err != nil {
				t.Fatal(err)
			}
			if kid := header(t, raw).KeyID; !kids(set)[kid] {
				t.Fatalf("%s: node signed with %s, which its JWKS does not list", what, kid)
			}
		}
		// A tenant created elsewhere.
		check("new tenant", e.tenant(""))
		// A tenant given keys of its own by another node.
		own := e.tenant("")
		if err := b.EnsureKeys(e.ctx, own); err != nil {
			t.Fatal(err)
		}
		check("tenant given its own keys elsewhere", own)
		// The deployment's keys rotated, twice, and switched to another algorithm elsewhere.
		for _, alg := range []string{"", model.AlgES256} {
			if err := b.RotateDeployment(e.ctx, alg); err != nil {
				t.Fatal(err)
			}
			check("deployment keys rotated elsewhere", e.tenant(""))
		}
		// This node's own rotation.
		if err := a.RotateDeployment(e.ctx, ""); err != nil {
			t.Fatal(err)
		}
		check("deployment keys rotated here", e.tenant(""))
	})
}

// A tenant's own key verifies that tenant's tokens only: a token of tenant B signed with
// tenant A's key is refused, although the key is published in the same JWKS.
func TestOwnKeyVerifiesOnlyItsTenant(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	a, b := e.tenant(model.AlgES256), e.tenant("")
	e.sign(m, a)
	s, _, err := m.current(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := s.signing[a]
	priv, err := key.signer()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: key.id}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	claims := e.claims(time.Hour)
	claims["tid"], claims["iss"] = b, testIssuer
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := jws.CompactSerialize()
	if err := m.Verify(e.ctx, raw, nil); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of tenant B signed with tenant A's key: %v, want ErrInvalidToken", err)
	}
	claims["tid"] = a
	payload, _ = json.Marshal(claims)
	jws, _ = signer.Sign(payload)
	raw, _ = jws.CompactSerialize()
	if err := m.Verify(e.ctx, raw, nil); err != nil {
		t.Fatalf("the same key for its own tenant: %v", err)
	}
}

// A tenant can go back to the deployment's keys: its tokens are then signed with them, the
// tokens its own key signed verify until they expire, and a later rotation deletes that key.
func TestShareKeys(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		m := e.manager(func(o *Options) { o.MaxTokenLifetime = time.Hour })
		tid := e.tenant(model.AlgEdDSA)
		old := e.sign(m, tid)
		if err := m.ShareKeys(e.ctx, tid); err != nil {
			t.Fatal(err)
		}
		fresh := e.sign(m, tid)
		if h := header(t, fresh); h.Algorithm != model.AlgRS256 || h.KeyID == header(t, old).KeyID {
			t.Fatalf("after ShareKeys the tenant signs with %s %s", h.Algorithm, h.KeyID)
		}
		if err := m.Verify(e.ctx, old, nil); err != nil {
			t.Fatalf("token of the tenant's retired key: %v", err)
		}
		if ids, err := m.OwnKeyTenants(e.ctx); err != nil || len(ids) != 0 {
			t.Fatalf("tenants with own keys after ShareKeys: %v, %v", ids, err)
		}
		e.clock.Advance(time.Hour + time.Minute)
		if err := m.RotateDeployment(e.ctx, ""); err != nil {
			t.Fatal(err)
		}
		if recs, _ := e.store.ListSigningKeys(e.ctx, tid); len(recs) != 0 {
			t.Errorf("the tenant's expired keys were not deleted: %d left", len(recs))
		}
	})
}
