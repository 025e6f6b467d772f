package otp_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// TestCodeUserReadWithTheCode checks the user an OTP login reads with its code (CodeAttempt):
// a user unlinked from the application since the send is linked again by the login, one
// disabled or deleted since the send is refused with the code spent.
func TestCodeUserReadWithTheCode(t *testing.T) {
	authtest.BothBackends(t, func(t *testing.T, f *authtest.Fixture) {
		send := func(email string) string {
			f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: email})
			code, _ := f.LastCode(email)
			return code
		}
		// Linked, then unlinked since the send: the login links the user again, adopted.
		linked := f.User("linked@example.com", "")
		tok, err := f.AuthenticateOTP("email", linked.Email, send(linked.Email))
		if err != nil {
			t.Fatal(err)
		}
		if sub := f.IDClaims(tok.IDToken)["sub"]; sub != linked.ID {
			t.Fatalf("login: sub %v, want %s", sub, linked.ID)
		}
		code := send(linked.Email)
		if err := f.Store.UnlinkUser(f.Ctx, f.Boot.TenantID, f.Boot.AppID, linked.ID); err != nil {
			t.Fatal(err)
		}
		tok, err = f.AuthenticateOTP("email", linked.Email, code)
		if err != nil {
			t.Fatalf("login of an unlinked user: %v", err)
		}
		if sub := f.IDClaims(tok.IDToken)["sub"]; sub != linked.ID {
			t.Fatalf("login of an unlinked user: sub %v, want %s", sub, linked.ID)
		}
		link, err := f.Store.GetAppUser(f.Ctx, f.Boot.TenantID, f.Boot.AppID, linked.ID)
		if err != nil || !link.Adopted {
			t.Fatalf("unlinked user after the login: link %+v, %v; want an adopted link", link, err)
		}

		// Disabled, then deleted, after the send: refused, and the code stays spent.
		disabled := f.User("disabled@example.com", "")
		code = send(disabled.Email)
		err = f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, disabled.ID, func(u model.User) (model.User, error) {
			u.Status = model.UserDisabled
			return u, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.AuthenticateOTP("email", disabled.Email, code)
		wantCode(t, err, fault.CodeUserNotActive)
		_, err = f.AuthenticateOTP("email", disabled.Email, code)
		wantCode(t, err, fault.CodeInvalidCredentials)

		gone := f.User("gone@example.com", "")
		code = send(gone.Email)
		if err := f.Store.DeleteUser(f.Ctx, f.Boot.TenantID, gone.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.AuthenticateOTP("email", gone.Email, code)
		wantCode(t, err, fault.CodeUserNotFound)
		_, err = f.AuthenticateOTP("email", gone.Email, code)
		wantCode(t, err, fault.CodeInvalidCredentials)
	})
}
