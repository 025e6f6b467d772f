package auth_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
)

// A user removed from an application gets no more tokens for it by refresh, whichever
// session the refresh token hangs on.
func TestRefreshAfterRemovalFromApplication(t *testing.T) {
	f := newOTPFixture(t, auth.Options{})
	u := f.user("leaving@example.com", "")
	out := f.send(auth.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: "leaving@example.com"})
	tok, err := f.authenticate("email", "leaving@example.com", out.Code)
	if err != nil {
		t.Fatal(err)
	}
	next, err := f.svc.Refresh(f.ctx, f.caller, auth.RefreshRequest{RefreshToken: tok.RefreshToken})
	if err != nil {
		t.Fatalf("refresh while linked: %v", err)
	}
	if err := f.store.UnlinkUser(f.ctx, f.boot.TenantID, f.boot.AppID, u.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Refresh(f.ctx, f.caller, auth.RefreshRequest{RefreshToken: next.RefreshToken})
	wantCode(t, err, "invalid_grant")
}
