package storagetest

import (
	"errors"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// errRefused is what the suite's updaters return to abort an update.
var errRefused = errors.New("updater refused")

var tenantTests = []namedTest{
	{"RoundTrip", testTenantRoundTrip},
	{"GetMissing", testTenantGetMissing},
	{"DuplicateName", testTenantDuplicateName},
	{"DuplicateID", testTenantDuplicateID},
	{"List", testTenantList},
	{"Update", testTenantUpdate},
	{"UpdateRefused", testTenantUpdateRefused},
	{"UpdateMissing", testTenantUpdateMissing},
	{"UpdateTakenName", testTenantUpdateTakenName},
}

func testTenantRoundTrip(t *testing.T, s storage.Store) {
	want := newTenant(t, s)
	got, err := s.GetTenant(t.Context(), want.ID)
	must(t, err, "get tenant")
	wantEqual(t, "GetTenant", got, want)

	got, err = s.GetTenantByName(t.Context(), want.Name)
	must(t, err, "get tenant by name")
	wantEqual(t, "GetTenantByName", got, want)

	// A tenant without a webhook.
	plain := makeTenant()
	plain.WebhookURL, plain.WebhookSecret = "", nil
	must(t, s.CreateTenant(t.Context(), plain), "create tenant without a webhook")
	got, err = s.GetTenant(t.Context(), plain.ID)
	must(t, err, "get tenant without a webhook")
	wantEqual(t, "GetTenant of a tenant without a webhook", got, plain)
}

func testTenantGetMissing(t *testing.T, s storage.Store) {
	newTenant(t, s)
	_, err := s.GetTenant(t.Context(), model.NewID())
	wantNotFound(t, err, "GetTenant of a missing id")
	_, err = s.GetTenantByName(t.Context(), "no-such-tenant")
	wantNotFound(t, err, "GetTenantByName of a missing name")
}

func testTenantDuplicateName(t *testing.T, s storage.Store) {
	first := newTenant(t, s)
	second := makeTenant()
	second.Name = first.Name
	wantDuplicate(t, s.CreateTenant(t.Context(), second), "name", "CreateTenant with a taken name")
	_, err := s.GetTenant(t.Context(), second.ID)
	wantNotFound(t, err, "GetTenant of the rejected tenant")
}

func testTenantDuplicateID(t *testing.T, s storage.Store) {
	first := newTenant(t, s)
	second := makeTenant()
	second.ID = first.ID
	err := s.CreateTenant(t.Context(), second)
	if !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("CreateTenant with a taken id: got %v, want ErrAlreadyExists", err)
	}
	got, err := s.GetTenant(t.Context(), first.ID)
	must(t, err, "get tenant")
	wantEqual(t, "first tenant after the rejected create", got, first)
}

func testTenantList(t *testing.T, s storage.Store) {
	list, err := s.ListTenants(t.Context())
	must(t, err, "list tenants of an empty store")
	if len(list) != 0 {
		t.Errorf("ListTenants of an empty store: got %v, want none", idsOf(list))
	}
	want := []model.Tenant{newTenant(t, s), newTenant(t, s), newTenant(t, s)}
	list, err = s.ListTenants(t.Context())
	must(t, err, "list tenants")
	wantList(t, "ListTenants", sortedByID(list), sortedByID(want))
}

func testTenantUpdate(t *testing.T, s storage.Store) {
	orig := newTenant(t, s)
	secret := randomBytes(48)
	var seen model.Tenant
	err := s.UpdateTenant(t.Context(), orig.ID, func(cur model.Tenant) (model.Tenant, error) {
		seen = cur
		cur.Name = "renamed-" + cur.ID
		cur.SigningAlg = model.AlgRS256
		cur.WebhookURL = "https://other-hooks.example/" + cur.ID
		cur.WebhookSecret = secret
		return cur, nil
	})
	must(t, err, "update tenant")
	wantEqual(t, "tenant seen by the updater", seen, orig)

	want := orig
	want.Name = "renamed-" + orig.ID
	want.SigningAlg = model.AlgRS256
	want.WebhookURL = "https://other-hooks.example/" + orig.ID
	want.WebhookSecret = secret
	got, err := s.GetTenant(t.Context(), orig.ID)
	must(t, err, "get tenant")
	wantEqual(t, "tenant after update", got, want)
	_, err = s.GetTenantByName(t.Context(), orig.Name)
	wantNotFound(t, err, "GetTenantByName of the old name")

	// Turning the webhook off clears both fields.
	err = s.UpdateTenant(t.Context(), orig.ID, func(cur model.Tenant) (model.Tenant, error) {
		cur.WebhookURL, cur.WebhookSecret = "", nil
		return cur, nil
	})
	must(t, err, "clear tenant webhook")
	want.WebhookURL, want.WebhookSecret = "", nil
	got, err = s.GetTenant(t.Context(), orig.ID)
	must(t, err, "get tenant")
	wantEqual(t, "tenant after clearing its webhook", got, want)
}

func testTenantUpdateRefused(t *testing.T, s storage.Store) {
	orig := newTenant(t, s)
	err := s.UpdateTenant(t.Context(), orig.ID, func(cur model.Tenant) (model.Tenant, error) {
		cur.Name = "changed"
		return cur, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateTenant with a failing updater: got %v, want the updater's error", err)
	}
	got, err := s.GetTenant(t.Context(), orig.ID)
	must(t, err, "get tenant")
	wantEqual(t, "tenant after a refused update", got, orig)
}

func testTenantUpdateMissing(t *testing.T, s storage.Store) {
	err := s.UpdateTenant(t.Context(), model.NewID(), func(cur model.Tenant) (model.Tenant, error) {
		return cur, nil
	})
	wantNotFound(t, err, "UpdateTenant of a missing id")
}

func testTenantUpdateTakenName(t *testing.T, s storage.Store) {
	a, b := newTenant(t, s), newTenant(t, s)
	err := s.UpdateTenant(t.Context(), b.ID, func(cur model.Tenant) (model.Tenant, error) {
		cur.Name = a.Name
		return cur, nil
	})
	wantAlreadyExists(t, err, "name", "UpdateTenant to a taken name")
	got, err := s.GetTenant(t.Context(), b.ID)
	must(t, err, "get tenant")
	wantEqual(t, "tenant after a colliding update", got, b)
}
