package magiclink_test

import (
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/auth/magiclink"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// TestMagicLinkUserReadWithTheCode checks the user a link's redemption reads with its record
// (CodeWithUser), on both engines: a user unlinked from the application since the send is
// linked again, and one disabled or deleted since the send is refused with the link spent.
func TestMagicLinkUserReadWithTheCode(t *testing.T) {
	for _, postgres := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[postgres], func(t *testing.T) {
			f := newMLFixtureOn(t, postgres)
			unlinked := f.user("unlinked@example.com")
			code, _ := f.mlCode(unlinked.Email, magiclink.MagicLinkSend{})
			if err := f.Store.UnlinkUser(f.Ctx, f.Boot.TenantID, f.Boot.AppID, unlinked.ID); err != nil {
				t.Fatal(err)
			}
			tok, err := f.redeem(code, nil)
			if err != nil {
				t.Fatalf("redemption by an unlinked user: %v", err)
			}
			if sub := f.IDClaims(tok.IDToken)["sub"]; sub != unlinked.ID {
				t.Fatalf("redemption by an unlinked user: sub %v, want %s", sub, unlinked.ID)
			}
			link, err := f.Store.GetAppUser(f.Ctx, f.Boot.TenantID, f.Boot.AppID, unlinked.ID)
			if err != nil || !link.Adopted {
				t.Fatalf("unlinked user after the redemption: link %+v, %v; want an adopted link", link, err)
			}

			disabled := f.user("disabled@example.com")
			code, _ = f.mlCode(disabled.Email, magiclink.MagicLinkSend{})
			err = f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, disabled.ID, func(u model.User) (model.User, error) {
				u.Status = model.UserDisabled
				return u, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Refused, and the link is spent, as a passcode is: enabling the user again does
			// not bring it back.
			_, err = f.redeem(code, nil)
			wantFault(t, err, fault.CodeUserNotActive)
			err = f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, disabled.ID, func(u model.User) (model.User, error) {
				u.Status = model.UserActive
				return u, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.redeem(code, nil)
			wantFault(t, err, fault.CodeInvalidCredentials)

			gone := f.user("gone@example.com")
			code, _ = f.mlCode(gone.Email, magiclink.MagicLinkSend{})
			if err := f.Store.DeleteUser(f.Ctx, f.Boot.TenantID, gone.ID); err != nil {
				t.Fatal(err)
			}
			_, err = f.redeem(code, nil)
			wantFault(t, err, fault.CodeUserNotFound)
			_, err = f.redeem(code, nil)
			wantFault(t, err, fault.CodeInvalidCredentials)
		})
	}
}

// TestMagicLinkConcurrentRedemptionsPostgres is TestMagicLinkConcurrentRedemptions on
// PostgreSQL, where attempts run at once, with wrong secrets among the right ones: exactly
// one right presentation wins, and the wrong ones count against the link only while it is
// unspent.
func TestMagicLinkConcurrentRedemptionsPostgres(t *testing.T) {
	f := newMLFixtureOn(t, true)
	f.user("pia@example.com")
	code, _ := f.mlCode("pia@example.com", magiclink.MagicLinkSend{})
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		presented := code
		if i%3 == 2 {
			presented += "x" // a wrong secret
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.redeem(presented, nil)
		}()
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil && i%3 == 2:
			t.Errorf("a wrong secret succeeded")
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
