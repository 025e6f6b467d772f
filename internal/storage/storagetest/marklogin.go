package storagetest

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// testUserMarkLogin checks that MarkLogin sets the last login and, only when asked and only
// where unset, the verification times, and touches nothing else.
func testUserMarkLogin(t *testing.T, s storage.Store) {
	ctx := t.Context()
	tenant := newTenant(t, s)
	verified := newUser(t, s, tenant.ID) // both addresses verified already
	bare := makeUser(tenant.ID)
	bare.EmailVerifiedAt, bare.PhoneVerifiedAt, bare.LastAuthAt = nil, nil, nil
	must(t, s.CreateUser(ctx, bare), "create unverified user")
	when := at(3 * time.Hour)

	// Not asked to verify: only the last login moves.
	must(t, s.MarkLogin(ctx, tenant.ID, bare.ID, when, false, false), "mark login")
	got, err := s.GetUser(ctx, tenant.ID, bare.ID)
	must(t, err, "get user")
	want := bare
	want.LastAuthAt = ptr(when)
	wantEqual(t, "after a login that verifies nothing", got, want)

	// Asked to verify the email address: it becomes verified, the phone number does not.
	later := when.Add(time.Minute)
	must(t, s.MarkLogin(ctx, tenant.ID, bare.ID, later, true, false), "mark email login")
	got, err = s.GetUser(ctx, tenant.ID, bare.ID)
	must(t, err, "get user")
	want.LastAuthAt, want.EmailVerifiedAt = ptr(later), ptr(later)
	wantEqual(t, "after an email login", got, want)

	// Then the phone number; the email keeps its first verification time.
	latest := later.Add(time.Minute)
	must(t, s.MarkLogin(ctx, tenant.ID, bare.ID, latest, true, true), "mark sms login")
	got, err = s.GetUser(ctx, tenant.ID, bare.ID)
	must(t, err, "get user")
	want.LastAuthAt, want.PhoneVerifiedAt = ptr(latest), ptr(latest)
	wantEqual(t, "after an sms login", got, want)

	// Verified addresses keep their times.
	must(t, s.MarkLogin(ctx, tenant.ID, verified.ID, latest, true, true), "mark login of a verified user")
	got, err = s.GetUser(ctx, tenant.ID, verified.ID)
	must(t, err, "get user")
	wantV := verified
	wantV.LastAuthAt = ptr(latest)
	wantEqual(t, "after a login of a verified user", got, wantV)

	// Missing users, and users of other tenants, are not found and not changed.
	wantNotFound(t, s.MarkLogin(ctx, tenant.ID, model.NewID(), when, true, true), "MarkLogin of a missing id")
	other := newTenant(t, s)
	wantNotFound(t, s.MarkLogin(ctx, other.ID, verified.ID, when, true, true), "MarkLogin through another tenant")
	got, err = s.GetUser(ctx, tenant.ID, verified.ID)
	must(t, err, "get user")
	wantEqual(t, "after a login through another tenant", got, wantV)
}
