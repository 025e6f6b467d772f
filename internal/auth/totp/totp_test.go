package totp_test

import (
	"bytes"
	"encoding/base32"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func TestTOTPEnrolment(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("ada@example.com", "")
	e := f.EnrolTOTP(u.ID)

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
	other := f.EnrolTOTP(u.ID) // replaces the unconfirmed one
	err = f.Store.UpdateCredential(f.Ctx, f.Boot.TenantID, other.ID, func(c model.Credential) (model.Credential, error) {
		c.Secret = cred.Secret
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.TOTP.ConfirmTOTP(f.Ctx, f.Caller, u.ID, other.ID, f.TOTPCodeAt(e, 0))
	if fe := fault.As(err); err == nil || fe.Kind != fault.Internal {
		t.Fatalf("a sealed secret moved to another credential was used: %v", err)
	}
}

func TestTOTPConfirmation(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("bo@example.com", "")
	e := f.EnrolTOTP(u.ID)

	// Before confirmation the credential does not log in.
	_, err := f.LoginTOTP("bo@example.com", f.TOTPCodeAt(e, 0), nil)
	wantCode(t, err, fault.CodeInvalidCredentials)

	_, err = f.TOTP.ConfirmTOTP(f.Ctx, f.Caller, u.ID, e.ID, wrongCode(f.TOTPCodeAt(e, 0)))
	wantCode(t, err, fault.CodeInvalidCredentials)
	_, err = f.TOTP.ConfirmTOTP(f.Ctx, f.Caller, u.ID, e.ID, "")
	wantCode(t, err, fault.CodeInvalidInput)
	_, err = f.TOTP.ConfirmTOTP(f.Ctx, f.Caller, u.ID, model.NewID(), f.TOTPCodeAt(e, 0))
	wantCode(t, err, totp.CodeTOTPNotFound)

	got, err := f.TOTP.ConfirmTOTP(f.Ctx, f.Caller, u.ID, e.ID, f.TOTPCodeAt(e, 0))
	if err != nil || !got.Confirmed || got.ID != e.ID {
		t.Fatalf("confirm: %+v, %v", got, err)
	}
	_, err = f.TOTP.ConfirmTOTP(f.Ctx, f.Caller, u.ID, e.ID, f.TOTPCodeAt(e, 0))
	wantCode(t, err, totp.CodeTOTPAlreadyConfirmed)

	// The code that confirmed cannot log in: its step is spent.
	_, err = f.LoginTOTP("bo@example.com", f.TOTPCodeAt(e, 0), nil)
	wantCode(t, err, fault.CodeInvalidCredentials)

	list, err := f.TOTP.ListTOTP(f.Ctx, f.Caller, u.ID)
	if err != nil || len(list) != 1 || !list[0].Confirmed || list[0].LastUsedAt != nil {
		t.Fatalf("list %+v, %v; want the one confirmed, unused credential", list, err)
	}
}

func TestTOTPMaxPerUser(t *testing.T) {
	f := newTOTPFixture(t)
	u := f.User("cy@example.com", "")

	// Unconfirmed enrolments replace each other.
	f.EnrolTOTP(u.ID)
	e := f.EnrolConfirmedTOTP(u.ID)
	if list, _ := f.TOTP.ListTOTP(f.Ctx, f.Caller, u.ID); len(list) != 1 || list[0].ID != e.ID {
		t.Fatalf("list %+v, want only the confirmed credential", list)
	}
	_, err := f.TOTP.EnrolTOTP(f.Ctx, f.Caller, u.ID, totp.TOTPEnrol{})
	if fe := wantCode(t, err, totp.CodeTOTPLimitReached); fe.Kind != fault.Conflict {
		t.Fatalf("limit error kind %v, want conflict", fe.Kind)
	}

	f.SetTOTPPrefs(model.TOTPPreferences{MaxTOTPPerUser: 2})
	second := f.EnrolConfirmedTOTP(u.ID)
	_, err = f.TOTP.EnrolTOTP(f.Ctx, f.Caller, u.ID, totp.TOTPEnrol{})
	wantCode(t, err, totp.CodeTOTPLimitReached)

	// Either credential logs in.
	if _, err := f.LoginTOTP("cy@example.com", f.TOTPCodeAt(second, 0), nil); err != nil {
		t.Fatalf("login with the second credential: %v", err)
	}
	f.Clock.Advance(30 * time.Second)
	if _, err := f.LoginTOTP("cy@example.com", f.TOTPCodeAt(e, 0), nil); err != nil {
		t.Fatalf("login with the first credential: %v", err)
	}

	// Deleting one frees its slot.
	if err := f.TOTP.DeleteTOTP(f.Ctx, f.Caller, u.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.TOTP.DeleteTOTP(f.Ctx, f.Caller, u.ID, e.ID), totp.CodeTOTPNotFound)
	f.EnrolConfirmedTOTP(u.ID)
	if list, _ := f.TOTP.ListTOTP(f.Ctx, f.Caller, u.ID); len(list) != 2 {
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
	_, err := f.TOTP.EnrolTOTP(f.Ctx, f.Caller, stranger.ID, totp.TOTPEnrol{})
	wantCode(t, err, fault.CodeUserNotFound)
	_, err = f.TOTP.GenerateRecoveryCodes(f.Ctx, f.Caller, stranger.ID)
	wantCode(t, err, fault.CodeUserNotFound)
	_, err = f.TOTP.EnrolTOTP(f.Ctx, f.Caller, "not an id", totp.TOTPEnrol{})
	wantCode(t, err, fault.CodeUserNotFound)

	// A management caller sees the whole tenant.
	if _, err := f.TOTP.EnrolTOTP(f.Ctx, f.Admin, stranger.ID, totp.TOTPEnrol{}); err != nil {
		t.Fatalf("admin enrolment: %v", err)
	}
	// Another user's credential is not found through this user.
	e := f.EnrolTOTP(u.ID)
	_, err = f.TOTP.ConfirmTOTP(f.Ctx, f.Admin, stranger.ID, e.ID, f.TOTPCodeAt(e, 0))
	wantCode(t, err, totp.CodeTOTPNotFound)
	wantCode(t, f.TOTP.DeleteTOTP(f.Ctx, f.Admin, stranger.ID, e.ID), totp.CodeTOTPNotFound)

	_, err = f.TOTP.EnrolTOTP(f.Ctx, f.Caller, u.ID, totp.TOTPEnrol{Name: strings.Repeat("x", 65)})
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
