package auth_test

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/grant"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// A client token whose signature the node remembers still stops working when its client is
// deleted or it expires: the memo holds the signature's verdict only.
func TestCallerRemembersOnlyTheSignature(t *testing.T) {
	f := newFixture(t, auth.Options{AccessTokenTTL: 10 * time.Minute})
	tok, err := f.Grants.ClientCredentials(f.Ctx, grant.ClientTokenRequest{ClientID: f.Boot.ClientID, ClientSecret: f.Boot.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		c, err := f.Svc.Caller(f.Ctx, tok.AccessToken)
		if err != nil || c.ClientID != f.Boot.ClientID || c.AppID != f.Boot.AppID {
			t.Fatalf("use %d: caller %+v, %v", i, c, err)
		}
	}

	f.Clock.Advance(10*time.Minute + 2*time.Minute)
	if _, err := f.Svc.Caller(f.Ctx, tok.AccessToken); !fault.Is(err, fault.Unauthenticated) {
		t.Errorf("expired client token: %v, want unauthenticated", err)
	}

	fresh, err := f.Grants.ClientCredentials(f.Ctx, grant.ClientTokenRequest{ClientID: f.Boot.ClientID, ClientSecret: f.Boot.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Svc.Caller(f.Ctx, fresh.AccessToken); err != nil {
		t.Fatal(err)
	}
	if err := f.Store.DeleteClient(f.Ctx, f.Boot.TenantID, f.Boot.ClientID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Svc.Caller(f.Ctx, fresh.AccessToken); !fault.Is(err, fault.Unauthenticated) {
		t.Errorf("token of a deleted client: %v, want unauthenticated", err)
	}
}

// Introspection reports a deleted client's tokens inactive, as the API refuses them.
func TestIntrospectDeletedClient(t *testing.T) {
	f := newFixture(t, auth.Options{})
	tok, err := f.Grants.ClientCredentials(f.Ctx, grant.ClientTokenRequest{ClientID: f.Boot.ClientID, ClientSecret: f.Boot.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	admin := model.Caller{TenantID: f.Boot.TenantID, AppID: f.Boot.AppID, ClientID: f.Boot.AdminClientID}
	got, err := f.Grants.Introspect(f.Ctx, admin, tok.AccessToken)
	if err != nil || got["active"] != true {
		t.Fatalf("introspection of a live client's token: %v, %v", got, err)
	}
	if err := f.Store.DeleteClient(f.Ctx, f.Boot.TenantID, f.Boot.ClientID); err != nil {
		t.Fatal(err)
	}
	got, err = f.Grants.Introspect(f.Ctx, admin, tok.AccessToken)
	if err != nil || got["active"] != false {
		t.Errorf("introspection of a deleted client's token: %v, %v; want inactive", got, err)
	}
}
