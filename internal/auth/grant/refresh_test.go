package grant_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/auth/grant"

	"github.com/latchkey/latchkey/internal/auth/otp"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/model"
)

// A user removed from an application gets no more tokens for it by refresh, whichever
// session the refresh token hangs on.
func TestRefreshAfterRemovalFromApplication(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	u := f.User("leaving@example.com", "")
	out := f.SendOTP(otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: "leaving@example.com"})
	tok, err := f.AuthenticateOTP("email", "leaving@example.com", out.Code)
	if err != nil {
		t.Fatal(err)
	}
	next, err := f.Grants.Refresh(f.Ctx, f.Caller, grant.RefreshRequest{RefreshToken: tok.RefreshToken})
	if err != nil {
		t.Fatalf("refresh while linked: %v", err)
	}
	if err := f.Store.UnlinkUser(f.Ctx, f.Boot.TenantID, f.Boot.AppID, u.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.Grants.Refresh(f.Ctx, f.Caller, grant.RefreshRequest{RefreshToken: next.RefreshToken})
	wantCode(t, err, "invalid_grant")
}

// A refresh token issued for a resource stops refreshing once the resource is taken from the
// client, as a new login for it would be refused.
func TestRefreshAfterResourceUnassigned(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	f.User("api@example.com", "")
	res := model.Resource{ID: model.NewID(), TenantID: f.Boot.TenantID, URI: "https://api.example/orders", Name: "orders", CreatedAt: f.Clock.Now()}
	if err := f.Store.CreateResource(f.Ctx, res); err != nil {
		t.Fatal(err)
	}
	assign := func(ids []string) {
		t.Helper()
		err := f.Store.UpdateClient(f.Ctx, f.Boot.TenantID, f.Boot.ClientID, func(c model.Client) (model.Client, error) {
			c.ResourceIDs = ids
			return c, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	assign([]string{res.ID})
	out := f.SendOTP(otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: "api@example.com"})
	tok, err := f.OTP.AuthenticateOTP(f.Ctx, f.Caller, otp.OTPAuthenticate{Passcode: out.Code, IdentifierType: "email",
		Identifier: "api@example.com", Login: auth.Login{Resource: res.URI}})
	if err != nil {
		t.Fatal(err)
	}
	next, err := f.Grants.Refresh(f.Ctx, f.Caller, grant.RefreshRequest{RefreshToken: tok.RefreshToken})
	if err != nil {
		t.Fatalf("refresh while assigned: %v", err)
	}
	assign(nil)
	_, err = f.Grants.Refresh(f.Ctx, f.Caller, grant.RefreshRequest{RefreshToken: next.RefreshToken})
	wantCode(t, err, "invalid_grant")
}
