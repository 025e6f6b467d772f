package magiclink_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/magiclink"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// mlCode sends a link to email and returns the code it carries.
func (f *mlFixture) mlCode(email string, req magiclink.MagicLinkSend) (string, magiclink.MagicLinkSent) {
	f.T.Helper()
	req.Email = email
	sent := f.send(req)
	return f.lastLink(email).Query().Get("code"), sent
}

func TestMagicLinkExpiry(t *testing.T) {
	f := newMLFixture(t)
	f.user("jo@example.com")
	code, _ := f.mlCode("jo@example.com", magiclink.MagicLinkSend{})
	f.Clock.Advance(15 * time.Minute)
	_, err := f.redeem(code, nil)
	wantFault(t, err, magiclink.CodeLinkExpired)
	// Without the secret, an expired link is merely invalid.
	id, _, _ := strings.Cut(code, ".")
	_, err = f.redeem(id+".wrong", nil)
	wantFault(t, err, fault.CodeInvalidCredentials)

	code, _ = f.mlCode("jo@example.com", magiclink.MagicLinkSend{ExpiresIn: 2})
	f.Clock.Advance(119 * time.Second)
	if _, err := f.redeem(code, nil); err != nil {
		t.Fatalf("link failed before its 2-minute expiry: %v", err)
	}
	code, _ = f.mlCode("jo@example.com", magiclink.MagicLinkSend{ExpiresIn: 2})
	f.Clock.Advance(2 * time.Minute)
	_, err = f.redeem(code, nil)
	wantFault(t, err, magiclink.CodeLinkExpired)
}

func TestMagicLinkRequestID(t *testing.T) {
	f := newMLFixture(t)
	f.user("kim@example.com")
	code, sent := f.mlCode("kim@example.com", magiclink.MagicLinkSend{GenerateRequestID: true})
	if sent.RequestID == "" {
		t.Fatal("no request id generated")
	}
	_, err := f.redeem(code, nil)
	wantFault(t, err, fault.CodeInvalidCredentials)
	_, err = f.redeem(code, func(r *magiclink.MagicLinkAuthenticate) { r.RequestID = "not-it" })
	wantFault(t, err, fault.CodeInvalidCredentials)
	id, _, _ := strings.Cut(code, ".")
	rec, _ := f.Store.GetCode(f.Ctx, f.Boot.TenantID, id)
	if rec.Failures != 2 || rec.ConsumedAt != nil {
		t.Fatalf("wrong request ids were not counted: failures %d, consumed %v", rec.Failures, rec.ConsumedAt)
	}
	if _, err := f.redeem(code, func(r *magiclink.MagicLinkAuthenticate) { r.RequestID = sent.RequestID }); err != nil {
		t.Fatal(err)
	}
}

func TestMagicLinkSpentAfterMaxFailures(t *testing.T) {
	f := newMLFixture(t)
	f.user("lu@example.com")
	code, _ := f.mlCode("lu@example.com", magiclink.MagicLinkSend{})
	id, _, _ := strings.Cut(code, ".")
	for range magiclink.LinkMaxFailures {
		_, err := f.redeem(id+".guess", nil)
		wantFault(t, err, fault.CodeInvalidCredentials)
	}
	_, err := f.redeem(code, nil)
	wantFault(t, err, fault.CodeInvalidCredentials)
}

func TestMagicLinkMalformedCodes(t *testing.T) {
	f := newMLFixture(t)
	_, err := f.redeem("", nil)
	wantFault(t, err, fault.CodeInvalidInput)
	for _, c := range []string{"nodot", ".secret", "BAD ID.secret", model.NewID() + ".", model.NewID() + "." + strings.Repeat("a", 300), model.NewID() + ".secret"} {
		_, err := f.redeem(c, nil)
		wantFault(t, err, fault.CodeInvalidCredentials)
	}
}

func TestMagicLinkOfAnotherAppOrTenant(t *testing.T) {
	f := newMLFixture(t)
	f.user("mo@example.com")
	code, _ := f.mlCode("mo@example.com", magiclink.MagicLinkSend{})

	now := f.Clock.Now()
	app := model.Application{ID: model.NewID(), TenantID: f.Boot.TenantID, Name: "Other", Kind: model.AppKindStandard, CreatedAt: now, UpdatedAt: now}
	if err := f.Store.CreateApplication(f.Ctx, app); err != nil {
		t.Fatal(err)
	}
	cl := model.Client{ID: model.NewID(), TenantID: f.Boot.TenantID, AppID: app.ID, Name: "c", CreatedAt: now, UpdatedAt: now}
	if err := f.Store.CreateClient(f.Ctx, cl); err != nil {
		t.Fatal(err)
	}
	otherTenant, err := f.Tenancy.Bootstrap(f.Ctx, "other", false)
	if err != nil {
		t.Fatal(err)
	}
	callers := []model.Caller{
		{TenantID: f.Boot.TenantID, AppID: app.ID, ClientID: cl.ID},
		{TenantID: otherTenant.TenantID, AppID: otherTenant.AppID, ClientID: otherTenant.ClientID},
	}
	for _, c := range callers {
		_, err := f.links.AuthenticateMagicLink(f.Ctx, c, magiclink.MagicLinkAuthenticate{Code: code})
		wantFault(t, err, fault.CodeInvalidCredentials)
	}
	// Those attempts neither counted against the link nor spent it.
	if _, err := f.redeem(code, nil); err != nil {
		t.Fatalf("the link no longer works for its own application: %v", err)
	}
}

func TestMagicLinkEmailChangedSinceSend(t *testing.T) {
	f := newMLFixture(t)
	u := f.user("ned@example.com")
	code, _ := f.mlCode("ned@example.com", magiclink.MagicLinkSend{})
	_ = f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, u.ID, func(u model.User) (model.User, error) {
		u.Email = "ned@new.example"
		return u, nil
	})
	_, err := f.redeem(code, nil)
	wantFault(t, err, fault.CodeInvalidCredentials)
	if got, _ := f.Store.GetUser(f.Ctx, f.Boot.TenantID, u.ID); got.EmailVerifiedAt != nil {
		t.Fatal("the new address was verified by a link sent to the old one")
	}
}

func TestMagicLinkAsSecondFactor(t *testing.T) {
	f := newMLFixture(t)
	u := f.user("ola@example.com")
	first, err := f.OTP.SendOTP(f.Ctx, f.Caller, otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: "ola@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	tok1, err := f.OTP.AuthenticateOTP(f.Ctx, f.Caller, otp.OTPAuthenticate{Passcode: first.Code, IdentifierType: "email", Identifier: "ola@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	code, _ := f.mlCode("ola@example.com", magiclink.MagicLinkSend{})
	tok2, err := f.redeem(code, func(r *magiclink.MagicLinkAuthenticate) { r.SessionID = tok1.SessionID })
	if err != nil {
		t.Fatal(err)
	}
	claims := f.IDClaims(tok2.IDToken)
	if tok2.SessionID != tok1.SessionID || claims["sub"] != u.ID || !slices.Equal(toStrings(claims["amr"]), []string{"otp", "eml", "mfa"}) {
		t.Fatalf("second factor not added: session %s→%s, amr %v", tok1.SessionID, tok2.SessionID, claims["amr"])
	}
	// A bad session id fails without spending the link.
	code, _ = f.mlCode("ola@example.com", magiclink.MagicLinkSend{})
	_, err = f.redeem(code, func(r *magiclink.MagicLinkAuthenticate) { r.SessionID = model.NewID() })
	wantFault(t, err, fault.CodeSessionNotFound)
	if _, err := f.redeem(code, nil); err != nil {
		t.Fatalf("a failed MFA attempt spent the link: %v", err)
	}
}

func TestMagicLinkConcurrentRedemptions(t *testing.T) {
	f := newMLFixture(t)
	f.user("pia@example.com")
	code, _ := f.mlCode("pia@example.com", magiclink.MagicLinkSend{})
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.links.AuthenticateMagicLink(f.Ctx, f.Caller, magiclink.MagicLinkAuthenticate{Code: code})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case fault.As(err).Code != fault.CodeInvalidCredentials:
			t.Errorf("unexpected error %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d redemptions succeeded, want exactly 1", wins)
	}
}
