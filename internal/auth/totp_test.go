package auth_test

import (
	"bytes"
	"encoding/base32"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func TestTOTPEnrolment(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("ada@example.com", "")
	e := f.enrol(u.ID)

	if e.Confirmed || e.Algorithm != "sha1" || e.Digits != 6 || e.Period != 30 || e.Name != "phone" || !model.ValidID(e.ID) {
		t.Fatalf("enrolment %+v, want an unconfirmed sha1/6/30 credential named phone", e.TOTPCredential)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	if err != nil || len(key) != 20 {
		t.Fatalf("secret %q is not 20 bytes of unpadded base32 (%d bytes, %v)", e.Secret, len(key), err)
	}
	uri, err := url.Parse(e.URI)
	if err != nil || uri.Scheme != "otpauth" || uri.Host != "totp" || uri.Path != "/Demo:ada@example.com" {
		t.Fatalf("URI %q, want otpauth://totp/Demo:ada@example.com", e.URI)
	}
	q := uri.Query()
	if q.Get("secret") != e.Secret || q.Get("issuer") != "Demo" || q.Get("algorithm") != "SHA1" || q.Get("digits") != "6" || q.Get("period") != "30" {
		t.Fatalf("URI parameters %v", q)
	}
	img, err := png.Decode(bytes.NewReader(e.QRCode))
	if err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("QR code is not a usable PNG: %v", err)
	}

	// The secret is stored sealed: neither it nor the key appears in the record, and the sealed
	// bytes do not open for another credential.
	cred, err := f.Store.GetCredential(f.Ctx, f.Boot.TenantID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(cred.Secret, []byte(e.Secret)) || bytes.Contains(cred.Secret, key) || cred.Type != model.CredentialTOTP || cred.UserID != u.ID {
		t.Fatalf("stored credential %+v holds the secret in the clear or is misfiled", cred)
	}
	other := f.enrol(u.ID) // replaces the unconfirmed one
	err = f.Store.UpdateCredential(f.Ctx, f.Boot.TenantID, other.ID, func(c model.Credential) (model.Credential, error) {
		c.Secret = cred.Secret
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Svc.ConfirmTOTP(f.Ctx, f.Caller, u.ID, other.ID, f.codeAt(e, 0))
	if fe := fault.As(err); err == nil || fe.Kind != fault.Internal {
		t.Fatalf("a sealed secret moved to another credential was used: %v", err)
	}
}

func TestTOTPConfirmation(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("bo@example.com", "")
	e := f.enrol(u.ID)

	// Before confirmation the credential does not log in.
	_, err := f.loginTOTP("bo@example.com", f.codeAt(e, 0), nil)
	wantCode(t, err, fault.CodeInvalidCredentials)

	_, err = f.Svc.ConfirmTOTP(f.Ctx, f.Caller, u.ID, e.ID, wrongCode(f.codeAt(e, 0)))
	wantCode(t, err, fault.CodeInvalidCredentials)
	_, err = f.Svc.ConfirmTOTP(f.Ctx, f.Caller, u.ID, e.ID, "")
	wantCode(t, err, fault.CodeInvalidInput)
	_, err = f.Svc.ConfirmTOTP(f.Ctx, f.Caller, u.ID, model.NewID(), f.codeAt(e, 0))
	wantCode(t, err, auth.CodeTOTPNotFound)

	got, err := f.Svc.ConfirmTOTP(f.Ctx, f.Caller, u.ID, e.ID, f.codeAt(e, 0))
	if err != nil || !got.Confirmed || got.ID != e.ID {
		t.Fatalf("confirm: %+v, %v", got, err)
	}
	_, err = f.Svc.ConfirmTOTP(f.Ctx, f.Caller, u.ID, e.ID, f.codeAt(e, 0))
	wantCode(t, err, auth.CodeTOTPAlreadyConfirmed)

	// The code that confirmed cannot log in: its step is spent.
	_, err = f.loginTOTP("bo@example.com", f.codeAt(e, 0), nil)
	wantCode(t, err, fault.CodeInvalidCredentials)

	list, err := f.Svc.ListTOTP(f.Ctx, f.Caller, u.ID)
	if err != nil || len(list) != 1 || !list[0].Confirmed || list[0].LastUsedAt != nil {
		t.Fatalf("list %+v, %v; want the one confirmed, unused credential", list, err)
	}
}

func TestTOTPMaxPerUser(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("cy@example.com", "")

	// Unconfirmed enrolments replace each other.
	f.enrol(u.ID)
	e := f.enrolConfirmed(u.ID)
	if list, _ := f.Svc.ListTOTP(f.Ctx, f.Caller, u.ID); len(list) != 1 || list[0].ID != e.ID {
		t.Fatalf("list %+v, want only the confirmed credential", list)
	}
	_, err := f.Svc.EnrolTOTP(f.Ctx, f.Caller, u.ID, auth.TOTPEnrol{})
	if fe := wantCode(t, err, auth.CodeTOTPLimitReached); fe.Kind != fault.Conflict {
		t.Fatalf("limit error kind %v, want conflict", fe.Kind)
	}

	f.setTOTPPrefs(model.TOTPPreferences{MaxTOTPPerUser: 2})
	second := f.enrolConfirmed(u.ID)
	_, err = f.Svc.EnrolTOTP(f.Ctx, f.Caller, u.ID, auth.TOTPEnrol{})
	wantCode(t, err, auth.CodeTOTPLimitReached)

	// Either credential logs in.
	if _, err := f.loginTOTP("cy@example.com", f.codeAt(second, 0), nil); err != nil {
		t.Fatalf("login with the second credential: %v", err)
	}
	f.Clock.Advance(30 * time.Second)
	if _, err := f.loginTOTP("cy@example.com", f.codeAt(e, 0), nil); err != nil {
		t.Fatalf("login with the first credential: %v", err)
	}

	// Deleting one frees its slot.
	if err := f.Svc.DeleteTOTP(f.Ctx, f.Caller, u.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.Svc.DeleteTOTP(f.Ctx, f.Caller, u.ID, e.ID), auth.CodeTOTPNotFound)
	f.enrolConfirmed(u.ID)
	if list, _ := f.Svc.ListTOTP(f.Ctx, f.Caller, u.ID); len(list) != 2 {
		t.Fatalf("list has %d credentials, want 2", len(list))
	}
}

func TestTOTPVisibility(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("di@example.com", "")
	// A user of the tenant not linked to the demo application.
	now := f.Clock.Now()
	stranger := model.User{ID: model.NewID(), TenantID: f.Boot.TenantID, Email: "st@example.com", Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := f.Store.CreateUser(f.Ctx, stranger); err != nil {
		t.Fatal(err)
	}
	_, err := f.Svc.EnrolTOTP(f.Ctx, f.Caller, stranger.ID, auth.TOTPEnrol{})
	wantCode(t, err, fault.CodeUserNotFound)
	_, err = f.Svc.GenerateRecoveryCodes(f.Ctx, f.Caller, stranger.ID)
	wantCode(t, err, fault.CodeUserNotFound)
	_, err = f.Svc.EnrolTOTP(f.Ctx, f.Caller, "not an id", auth.TOTPEnrol{})
	wantCode(t, err, fault.CodeUserNotFound)

	// A management caller sees the whole tenant.
	if _, err := f.Svc.EnrolTOTP(f.Ctx, f.admin, stranger.ID, auth.TOTPEnrol{}); err != nil {
		t.Fatalf("admin enrolment: %v", err)
	}
	// Another user's credential is not found through this user.
	e := f.enrol(u.ID)
	_, err = f.Svc.ConfirmTOTP(f.Ctx, f.admin, stranger.ID, e.ID, f.codeAt(e, 0))
	wantCode(t, err, auth.CodeTOTPNotFound)
	wantCode(t, f.Svc.DeleteTOTP(f.Ctx, f.admin, stranger.ID, e.ID), auth.CodeTOTPNotFound)

	_, err = f.Svc.EnrolTOTP(f.Ctx, f.Caller, u.ID, auth.TOTPEnrol{Name: strings.Repeat("x", 65)})
	wantCode(t, err, fault.CodeInvalidInput)
}

func TestTOTPPreferenceProblems(t *testing.T) {
	bad := model.LoginPreferences{TOTP: model.TOTPPreferences{
		Algorithm: "md5", Digits: 7, Period: 5, Window: 11, MaxTOTPPerUser: -1, LockoutDuration: 2000, Issuer: "a:b",
	}}
	got := strings.Join(bad.Problems(), "\n")
	for _, want := range []string{"totp.algorithm", "totp.digits", "totp.period", "totp.window", "totp.maxTotpPerUser", "totp.lockoutDuration", "totp.issuer"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q do not mention %s", got, want)
		}
	}
	n := model.LoginPreferences{}.Normalized().TOTP
	if n != (model.TOTPPreferences{Algorithm: "sha1", Digits: 6, Period: 30, Window: 1, MaxTOTPPerUser: 1, LockoutDuration: 15}) {
		t.Fatalf("defaults %+v", n)
	}
	if p := (model.LoginPreferences{TOTP: model.TOTPPreferences{Algorithm: "sha512", Digits: 8, Period: 60, Window: 2, Issuer: "Acme Bank"}}).Problems(); len(p) != 0 {
		t.Fatalf("valid settings refused: %v", p)
	}
}
