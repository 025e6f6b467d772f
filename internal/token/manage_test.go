package token

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func wantKeyFault(t *testing.T, err error, kind fault.Kind, what string) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != kind {
		t.Errorf("%s: got %v, want a %s fault", what, err, kind)
	}
}

func keyIn(keys []model.SigningKey, id string) (model.SigningKey, bool) {
	for _, k := range keys {
		if k.ID == id {
			return k, true
		}
	}
	return model.SigningKey{}, false
}

// A tenant that shares the deployment's keys creates a key of its own, makes it the signing
// key, and its tokens are signed with it; taking signing away from it brings the deployment's
// keys back. The deployment's keys are listed but cannot be changed by a tenant.
func TestTenantKeyLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		m := e.manager()
		if err := m.EnsureDeploymentKeys(e.ctx); err != nil {
			t.Fatal(err)
		}
		tenant := e.tenant("")
		other := e.tenant("")
		shared := header(t, e.sign(m, tenant)).KeyID

		k, err := m.CreateTenantKey(e.ctx, tenant, "  mine  ")
		if err != nil {
			t.Fatal(err)
		}
		if k.Name != "mine" || k.Status != model.KeyValidating || k.Algorithm != model.AlgRS256 || k.Uploaded {
			t.Errorf("created key: %+v", k)
		}
		if got := header(t, e.sign(m, tenant)).KeyID; got != shared {
			t.Errorf("a validating key signed: kid %s, want the shared %s", got, shared)
		}
		list, err := m.TenantKeys(e.ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := keyIn(list, k.ID); !ok {
			t.Error("the new key is not listed")
		}
		if s, ok := keyIn(list, shared); !ok || s.TenantID != Deployment {
			t.Errorf("the shared signing key is not listed as the deployment's: %+v", s)
		}
		if others, _ := m.TenantKeys(e.ctx, other); len(others) != len(list)-1 {
			t.Errorf("another tenant sees %d keys, want the %d shared ones", len(others), len(list)-1)
		}

		e.clock.Advance(time.Second)
		signing := model.KeySigning
		if _, err := m.UpdateTenantKey(e.ctx, tenant, k.ID, KeyChange{Status: &signing}); err != nil {
			t.Fatal(err)
		}
		raw := e.sign(m, tenant)
		if got := header(t, raw).KeyID; got != k.ID {
			t.Errorf("after making it signing: kid %s, want %s", got, k.ID)
		}
		if got := header(t, e.sign(m, other)).KeyID; got != shared {
			t.Errorf("another tenant's token: kid %s, want the shared %s", got, shared)
		}

		// A second key made signing disables the first, which still verifies what it signed.
		k2, err := m.CreateTenantKey(e.ctx, tenant, "second")
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
		renamed := "second, renamed"
		got, err := m.UpdateTenantKey(e.ctx, tenant, k2.ID, KeyChange{Status: &signing, Name: &renamed})
		if err != nil || got.Name != renamed || got.Status != model.KeySigning {
			t.Fatalf("make second signing: %+v, %v", got, err)
		}
		list, _ = m.TenantKeys(e.ctx, tenant)
		if first, _ := keyIn(list, k.ID); first.Status != model.KeyDisabled {
			t.Errorf("first key after the second was made signing: %s, want disabled", first.Status)
		}
		var claims map[string]any
		if err := m.Verify(e.ctx, raw, &claims); err != nil {
			t.Errorf("a token of the disabled key: %v", err)
		}

		// Disabling the signing key: the tenant signs with the deployment's keys again.
		disabled := model.KeyDisabled
		if _, err := m.UpdateTenantKey(e.ctx, tenant, k2.ID, KeyChange{Status: &disabled}); err != nil {
			t.Fatal(err)
		}
		if got := header(t, e.sign(m, tenant)).KeyID; got != shared {
			t.Errorf("after disabling its key: kid %s, want the shared %s", got, shared)
		}

		// Deleting a key ends the tokens it signed.
		if err := m.DeleteTenantKey(e.ctx, tenant, k.ID); err != nil {
			t.Fatal(err)
		}
		if err := m.Verify(e.ctx, raw, &claims); err == nil {
			t.Error("a token of a deleted key still verifies")
		}

		// The deployment's keys, another tenant's, and unknown ids.
		wantKeyFault(t, m.DeleteTenantKey(e.ctx, tenant, shared), fault.Forbidden, "delete a shared key")
		_, err = m.UpdateTenantKey(e.ctx, tenant, shared, KeyChange{Name: &renamed})
		wantKeyFault(t, err, fault.Forbidden, "rename a shared key")
		wantKeyFault(t, m.DeleteTenantKey(e.ctx, other, k2.ID), fault.NotFound, "delete another tenant's key")
		_, err = m.UpdateTenantKey(e.ctx, other, k2.ID, KeyChange{Status: &signing})
		wantKeyFault(t, err, fault.NotFound, "promote another tenant's key")
		wantKeyFault(t, m.DeleteTenantKey(e.ctx, tenant, model.NewID()), fault.NotFound, "delete an unknown key")
		bad := "active"
		_, err = m.UpdateTenantKey(e.ctx, tenant, k2.ID, KeyChange{Status: &bad})
		wantKeyFault(t, err, fault.Invalid, "an unknown status")
		_, err = m.CreateTenantKey(e.ctx, tenant, " ")
		wantKeyFault(t, err, fault.Invalid, "a key without a name")
	})
}

// An uploaded private key suiting the tenant's algorithm signs once made signing; keys of
// another type, too weak, or public only are refused.
func TestUploadTenantKey(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		m := e.manager()
		tenant := e.tenant(model.AlgES256)
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		jwk, err := jose.JSONWebKey{Key: priv, KeyID: "theirs", Algorithm: "ES256"}.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		k, err := m.UploadTenantKey(e.ctx, tenant, "brought", jwk)
		if err != nil {
			t.Fatal(err)
		}
		if !k.Uploaded || k.Status != model.KeyValidating || k.Algorithm != model.AlgES256 || k.ID == "theirs" {
			t.Errorf("uploaded key: %+v", k)
		}
		e.clock.Advance(time.Second)
		signing := model.KeySigning
		if _, err := m.UpdateTenantKey(e.ctx, tenant, k.ID, KeyChange{Status: &signing}); err != nil {
			t.Fatal(err)
		}
		raw := e.sign(m, tenant)
		if got := header(t, raw).KeyID; got != k.ID {
			t.Fatalf("kid %s, want the uploaded key's %s", got, k.ID)
		}
		jws, err := jose.ParseSigned(raw, acceptedAlgs)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jws.Verify(&priv.PublicKey); err != nil {
			t.Errorf("the token is not signed with the uploaded key: %v", err)
		}

		weak, _ := rsa.GenerateKey(rand.Reader, 1024)
		strong, _ := rsa.GenerateKey(rand.Reader, 2048)
		for name, key := range map[string]any{"an RSA key for an ES256 tenant": strong, "a public key": &priv.PublicKey} {
			raw, _ := jose.JSONWebKey{Key: key}.MarshalJSON()
			_, err := m.UploadTenantKey(e.ctx, tenant, "x", raw)
			wantKeyFault(t, err, fault.Invalid, name)
		}
		_, err = m.UploadTenantKey(e.ctx, tenant, "x", []byte(`{"kty":"oct","k":"c2VjcmV0"}`))
		wantKeyFault(t, err, fault.Invalid, "a symmetric key")
		_, err = m.UploadTenantKey(e.ctx, tenant, "x", []byte(`not json`))
		wantKeyFault(t, err, fault.Invalid, "not a JWK")

		rsaTenant := e.tenant(model.AlgRS256)
		weakJWK, _ := jose.JSONWebKey{Key: weak}.MarshalJSON()
		_, err = m.UploadTenantKey(e.ctx, rsaTenant, "x", weakJWK)
		wantKeyFault(t, err, fault.Invalid, "a 1024-bit RSA key")
	})
}
