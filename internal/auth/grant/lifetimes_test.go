package grant_test

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/grant"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/model"
)

// lifetimeFixture is a fixture whose client has a resource with the given lifetimes, and a
// user signed in for it.
func lifetimeFixture(t *testing.T, res model.Resource, client func(*model.Client)) (*authtest.Fixture, auth.TokenResponse) {
	t.Helper()
	f := newOTPFixture(t, auth.Options{})
	f.User("ttl@example.com", "")
	res.ID, res.TenantID, res.URI, res.CreatedAt = model.NewID(), f.Boot.TenantID, "https://api.example/ttl", f.Clock.Now()
	if err := f.Store.CreateResource(f.Ctx, res); err != nil {
		t.Fatal(err)
	}
	err := f.Store.UpdateClient(f.Ctx, f.Boot.TenantID, f.Boot.ClientID, func(c model.Client) (model.Client, error) {
		c.ResourceIDs = []string{res.ID}
		if client != nil {
			client(&c)
		}
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := f.SendOTP(otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: "ttl@example.com"})
	tok, err := f.OTP.AuthenticateOTP(f.Ctx, f.Caller, otp.OTPAuthenticate{Passcode: out.Code, IdentifierType: "email",
		Identifier: "ttl@example.com", Login: auth.Login{Resource: res.URI}})
	if err != nil {
		t.Fatal(err)
	}
	return f, tok
}

// storedRefresh reads a refresh token's record.
func storedRefresh(t *testing.T, f *authtest.Fixture, raw string) model.RefreshToken {
	t.Helper()
	rt, err := f.Store.GetRefreshTokenByHash(f.Ctx, f.Keys.HashRefreshToken(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// A resource's refresh_token_ttl sets how long each refresh token of a login for it lives,
// the first and every rotated one, winning over the client's; its access_token_ttl sets the
// access token's.
func TestResourceRefreshTokenTTL(t *testing.T) {
	f, tok := lifetimeFixture(t, model.Resource{RefreshTokenTTL: 3600, AccessTokenTTL: 300},
		func(c *model.Client) { c.RefreshTokenTTL = 86400 })
	start := f.Clock.Now()
	if got := storedRefresh(t, f, tok.RefreshToken); !got.ExpiresAt.Equal(start.Add(time.Hour)) || !got.FamilyExpiresAt.IsZero() {
		t.Errorf("first refresh token: expires %v (family end %v), want %v and none", got.ExpiresAt, got.FamilyExpiresAt, start.Add(time.Hour))
	}
	if tok.ExpiresIn != 300 {
		t.Errorf("access token expires_in %d, want the resource's 300", tok.ExpiresIn)
	}

	f.Clock.Advance(50 * time.Minute)
	next, err := f.Grants.Refresh(f.Ctx, f.Caller, grant.RefreshRequest{RefreshToken: tok.RefreshToken})
	if err != nil {
		t.Fatalf("refresh before the ttl: %v", err)
	}
	if got := storedRefresh(t, f, next.RefreshToken); !got.ExpiresAt.Equal(f.Clock.Now().Add(time.Hour)) {
		t.Errorf("rotated refresh token expires %v, want an hour after the rotation", got.ExpiresAt)
	}
	if next.ExpiresIn != 300 {
		t.Errorf("refreshed access token expires_in %d, want 300", next.ExpiresIn)
	}

	// Unused for longer than the ttl, the token is dead.
	f.Clock.Advance(61 * time.Minute)
	_, err = f.Grants.Refresh(f.Ctx, f.Caller, grant.RefreshRequest{RefreshToken: next.RefreshToken})
	wantCode(t, err, "invalid_grant")
}

// A resource's max_refresh_rotate ends the family at a fixed time after the login, however
// often it is rotated: the last token expires then, and nothing refreshes after.
func TestResourceMaxRefreshRotate(t *testing.T) {
	f, tok := lifetimeFixture(t, model.Resource{RefreshTokenTTL: 3600, MaxRefreshRotate: 2 * 3600}, nil)
	end := f.Clock.Now().Add(2 * time.Hour)
	if got := storedRefresh(t, f, tok.RefreshToken); !got.FamilyExpiresAt.Equal(end) {
		t.Fatalf("family end %v, want %v", got.FamilyExpiresAt, end)
	}
	raw := tok.RefreshToken
	for i := range 3 {
		f.Clock.Advance(35 * time.Minute)
		next, err := f.Grants.Refresh(f.Ctx, f.Caller, grant.RefreshRequest{RefreshToken: raw})
		if err != nil {
			t.Fatalf("rotation %d, %v after the login: %v", i+1, time.Duration(i+1)*35*time.Minute, err)
		}
		raw = next.RefreshToken
		got := storedRefresh(t, f, raw)
		want := f.Clock.Now().Add(time.Hour)
		if want.After(end) {
			want = end
		}
		if !got.ExpiresAt.Equal(want) || !got.FamilyExpiresAt.Equal(end) {
			t.Errorf("rotation %d: expires %v, family end %v; want %v and %v", i+1, got.ExpiresAt, got.FamilyExpiresAt, want, end)
		}
	}
	// 1h45 after the login the last token was given 15 minutes, not an hour: at 2h01 the
	// family has ended, although by its ttl alone the token would live until 2h45.
	f.Clock.Advance(16 * time.Minute)
	_, err := f.Grants.Refresh(f.Ctx, f.Caller, grant.RefreshRequest{RefreshToken: raw})
	wantCode(t, err, "invalid_grant")
}

// Without a resource's settings, the client's max_refresh_rotate applies.
func TestClientMaxRefreshRotate(t *testing.T) {
	f, tok := lifetimeFixture(t, model.Resource{}, func(c *model.Client) { c.MaxRefreshRotate = 1800 })
	got := storedRefresh(t, f, tok.RefreshToken)
	if end := f.Clock.Now().Add(30 * time.Minute); !got.FamilyExpiresAt.Equal(end) || !got.ExpiresAt.Equal(end) {
		t.Errorf("refresh token expires %v, family end %v; want both %v", got.ExpiresAt, got.FamilyExpiresAt, end)
	}
}
