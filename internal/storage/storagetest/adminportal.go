package storagetest

import (
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var adminPortalTests = []namedTest{
	{"SettingsRoundTrip", testAdminSettingsRoundTrip},
	{"InviteRoundTrip", testAdminInviteRoundTrip},
	{"InviteAcceptedOnce", testAdminInviteAcceptedOnce},
	{"InviteExpiredOrRevoked", testAdminInviteEnded},
	{"InviteOtherTenant", testAdminInviteOtherTenant},
	{"OperatorLinks", testOperatorLinks},
}

func testAdminSettingsRoundTrip(t *testing.T, s storage.Store) {
	tenant, other := newTenant(t, s), newTenant(t, s)
	_, err := s.GetAdminSettings(t.Context(), tenant.ID)
	wantNotFound(t, err, "GetAdminSettings before any were saved")
	want := model.AdminSettings{TenantID: tenant.ID, SignInMethods: []string{model.AdminSignInPasskey}, UpdatedAt: at(time.Minute)}
	must(t, s.PutAdminSettings(t.Context(), want), "put admin settings")
	got, err := s.GetAdminSettings(t.Context(), tenant.ID)
	must(t, err, "get admin settings")
	wantEqual(t, "GetAdminSettings", got, want)
	want.SignInMethods, want.UpdatedAt = []string{model.AdminSignInEmailCode, model.AdminSignInPasswordAndTOTP}, at(time.Hour)
	must(t, s.PutAdminSettings(t.Context(), want), "replace admin settings")
	got, err = s.GetAdminSettings(t.Context(), tenant.ID)
	must(t, err, "get admin settings")
	wantEqual(t, "GetAdminSettings after a replace", got, want)
	_, err = s.GetAdminSettings(t.Context(), other.ID)
	wantNotFound(t, err, "GetAdminSettings of another tenant")
}

func newAdminInvite(t *testing.T, s storage.Store, tenantID string, created time.Time) model.AdminInvite {
	t.Helper()
	inv := model.AdminInvite{ID: model.NewID(), TenantID: tenantID, Email: "eve" + model.NewID() + "@example.com",
		TokenHash: randomBytes(32), InvitedBy: model.NewID(), InvitedByEmail: "ada@example.com",
		CreatedAt: created, ExpiresAt: created.Add(72 * time.Hour)}
	must(t, s.CreateAdminInvite(t.Context(), inv), "create admin invite")
	return inv
}

func testAdminInviteRoundTrip(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	first := newAdminInvite(t, s, tenant.ID, at(time.Minute))
	second := newAdminInvite(t, s, tenant.ID, at(time.Hour))
	got, err := s.GetAdminInvite(t.Context(), tenant.ID, first.ID)
	must(t, err, "get admin invite")
	wantEqual(t, "GetAdminInvite", got, first)
	list, err := s.ListAdminInvites(t.Context(), tenant.ID)
	must(t, err, "list admin invites")
	wantList(t, "ListAdminInvites, newest first", list, []model.AdminInvite{second, first})
	_, err = s.GetAdminInvite(t.Context(), tenant.ID, model.NewID())
	wantNotFound(t, err, "GetAdminInvite of a missing id")
}

func testAdminInviteAcceptedOnce(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	inv := newAdminInvite(t, s, tenant.ID, at(0))
	var wg sync.WaitGroup
	wins := make(chan string, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(user string) {
			defer wg.Done()
			ok, err := s.AcceptAdminInvite(t.Context(), tenant.ID, inv.ID, user, at(time.Minute))
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins <- user
			}
		}(model.NewID())
	}
	wg.Wait()
	close(wins)
	var winners []string
	for w := range wins {
		winners = append(winners, w)
	}
	if len(winners) != 1 {
		t.Fatalf("%d concurrent acceptances won, want exactly one", len(winners))
	}
	got, err := s.GetAdminInvite(t.Context(), tenant.ID, inv.ID)
	must(t, err, "get admin invite")
	if got.AcceptedAt == nil || !got.AcceptedAt.Equal(at(time.Minute)) || got.AcceptedBy != winners[0] || got.Open(at(time.Minute)) {
		t.Fatalf("accepted invite %+v", got)
	}
	if ok, err := s.RevokeAdminInvite(t.Context(), tenant.ID, inv.ID, at(time.Hour)); err != nil || ok {
		t.Fatalf("revoking an accepted invite: %v %v", ok, err)
	}
}

func testAdminInviteEnded(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	expired := newAdminInvite(t, s, tenant.ID, at(0))
	if ok, err := s.AcceptAdminInvite(t.Context(), tenant.ID, expired.ID, model.NewID(), expired.ExpiresAt); err != nil || ok {
		t.Fatalf("accepting an invite at its expiry: %v %v", ok, err)
	}
	revoked := newAdminInvite(t, s, tenant.ID, at(0))
	if ok, err := s.RevokeAdminInvite(t.Context(), tenant.ID, revoked.ID, at(time.Minute)); err != nil || !ok {
		t.Fatalf("revoke: %v %v", ok, err)
	}
	if ok, err := s.RevokeAdminInvite(t.Context(), tenant.ID, revoked.ID, at(time.Hour)); err != nil || ok {
		t.Fatalf("revoking twice: %v %v", ok, err)
	}
	if ok, err := s.AcceptAdminInvite(t.Context(), tenant.ID, revoked.ID, model.NewID(), at(time.Hour)); err != nil || ok {
		t.Fatalf("accepting a revoked invite: %v %v", ok, err)
	}
	got, err := s.GetAdminInvite(t.Context(), tenant.ID, revoked.ID)
	must(t, err, "get admin invite")
	if got.RevokedAt == nil || !got.RevokedAt.Equal(at(time.Minute)) || got.AcceptedAt != nil {
		t.Fatalf("revoked invite %+v", got)
	}
}

func testAdminInviteOtherTenant(t *testing.T, s storage.Store) {
	tenant, other := newTenant(t, s), newTenant(t, s)
	inv := newAdminInvite(t, s, tenant.ID, at(0))
	_, err := s.GetAdminInvite(t.Context(), other.ID, inv.ID)
	wantNotFound(t, err, "GetAdminInvite through another tenant")
	if ok, err := s.AcceptAdminInvite(t.Context(), other.ID, inv.ID, model.NewID(), at(time.Minute)); err != nil || ok {
		t.Fatalf("accepting through another tenant: %v %v", ok, err)
	}
	if ok, err := s.RevokeAdminInvite(t.Context(), other.ID, inv.ID, at(time.Minute)); err != nil || ok {
		t.Fatalf("revoking through another tenant: %v %v", ok, err)
	}
	list, err := s.ListAdminInvites(t.Context(), other.ID)
	must(t, err, "list admin invites")
	if len(list) != 0 {
		t.Fatalf("another tenant lists %d invites", len(list))
	}
}

func testOperatorLinks(t *testing.T, s storage.Store) {
	first := model.OperatorLink{ID: model.NewID(), TokenHash: randomBytes(32), CreatedAt: at(0), ExpiresAt: at(time.Hour)}
	must(t, s.CreateOperatorLink(t.Context(), first), "create operator link")
	got, err := s.GetOperatorLink(t.Context(), first.ID)
	must(t, err, "get operator link")
	wantEqual(t, "GetOperatorLink", got, first)
	_, err = s.GetOperatorLink(t.Context(), model.NewID())
	wantNotFound(t, err, "GetOperatorLink of a missing id")
	if ok, err := s.RedeemOperatorLink(t.Context(), first.ID, at(time.Hour)); err != nil || ok {
		t.Fatalf("redeeming a link at its expiry: %v %v", ok, err)
	}
	if ok, err := s.RedeemOperatorLink(t.Context(), first.ID, at(time.Minute)); err != nil || !ok {
		t.Fatalf("redeem: %v %v", ok, err)
	}
	if ok, err := s.RedeemOperatorLink(t.Context(), first.ID, at(2*time.Minute)); err != nil || ok {
		t.Fatalf("redeeming twice: %v %v", ok, err)
	}
	second := model.OperatorLink{ID: model.NewID(), TokenHash: randomBytes(32), CreatedAt: at(0), ExpiresAt: at(time.Hour)}
	must(t, s.CreateOperatorLink(t.Context(), second), "create operator link")
	n, err := s.EndOperatorLinks(t.Context(), at(3*time.Minute))
	must(t, err, "end operator links")
	if n < 2 {
		t.Fatalf("ended %d links, want both", n)
	}
	if ok, err := s.RedeemOperatorLink(t.Context(), second.ID, at(4*time.Minute)); err != nil || ok {
		t.Fatalf("redeeming an ended link: %v %v", ok, err)
	}
	got, err = s.GetOperatorLink(t.Context(), first.ID)
	must(t, err, "get operator link")
	if got.RedeemedAt == nil || !got.RedeemedAt.Equal(at(time.Minute)) || got.EndedAt == nil || !got.EndedAt.Equal(at(3*time.Minute)) {
		t.Fatalf("operator link %+v", got)
	}
}
