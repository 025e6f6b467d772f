package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var keyTests = []namedTest{
	{"ListOldestFirst", testKeysListOldestFirst},
	{"DuplicateID", testKeyDuplicateID},
	{"UpdateStatus", testKeyUpdateStatus},
	{"UpdateRefused", testKeyUpdateRefused},
	{"OtherTenant", testKeyOtherTenant},
	{"Delete", testKeyDelete},
	{"ListAll", testKeysListAll},
}

// listKeys lists a tenant's keys and fails the test on error.
func listKeys(t *testing.T, s storage.Store, tenantID string) []model.SigningKey {
	t.Helper()
	list, err := s.ListSigningKeys(t.Context(), tenantID)
	must(t, err, "list signing keys")
	return list
}

func testKeysListOldestFirst(t *testing.T, s storage.Store) {
	a, b := newTenant(t, s), newTenant(t, s)
	if list := listKeys(t, s, a.ID); len(list) != 0 {
		t.Errorf("ListSigningKeys of a tenant without keys: got %v", idsOf(list))
	}
	byAge := map[time.Duration]model.SigningKey{}
	for _, off := range []time.Duration{2 * oneDay, 0, 3 * oneDay, oneDay} {
		k := makeKey(a.ID, at(off))
		must(t, s.CreateSigningKey(t.Context(), k), "create signing key")
		byAge[off] = k
	}
	rsa := makeKey(b.ID, base)
	rsa.Algorithm, rsa.Status = model.AlgRS256, model.KeySigning
	must(t, s.CreateSigningKey(t.Context(), rsa), "create signing key")

	wantList(t, "ListSigningKeys", listKeys(t, s, a.ID),
		[]model.SigningKey{byAge[0], byAge[oneDay], byAge[2*oneDay], byAge[3*oneDay]})
	wantList(t, "ListSigningKeys of tenant B", listKeys(t, s, b.ID), []model.SigningKey{rsa})
}

func testKeyDuplicateID(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	first := makeKey(tenant.ID, base)
	must(t, s.CreateSigningKey(t.Context(), first), "create signing key")
	second := makeKey(tenant.ID, at(time.Hour))
	second.ID = first.ID
	if err := s.CreateSigningKey(t.Context(), second); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("CreateSigningKey with a taken id: got %v, want ErrAlreadyExists", err)
	}
	wantList(t, "ListSigningKeys after the rejected create", listKeys(t, s, tenant.ID), []model.SigningKey{first})
}

func testKeyUpdateStatus(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	orig := makeKey(tenant.ID, base)
	must(t, s.CreateSigningKey(t.Context(), orig), "create signing key")
	var seen model.SigningKey
	err := s.UpdateSigningKey(t.Context(), tenant.ID, orig.ID, func(cur model.SigningKey) (model.SigningKey, error) {
		seen = cur
		cur.Status = model.KeySigning
		cur.UpdatedAt = at(oneDay)
		return cur, nil
	})
	must(t, err, "update signing key")
	wantEqual(t, "signing key seen by the updater", seen, orig)
	want := orig
	want.Status = model.KeySigning
	want.UpdatedAt = at(oneDay)
	wantList(t, "ListSigningKeys after update", listKeys(t, s, tenant.ID), []model.SigningKey{want})

	err = s.UpdateSigningKey(t.Context(), tenant.ID, model.NewID(), func(cur model.SigningKey) (model.SigningKey, error) {
		return cur, nil
	})
	wantNotFound(t, err, "UpdateSigningKey of a missing id")
}

func testKeyUpdateRefused(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	orig := makeKey(tenant.ID, base)
	must(t, s.CreateSigningKey(t.Context(), orig), "create signing key")
	err := s.UpdateSigningKey(t.Context(), tenant.ID, orig.ID, func(cur model.SigningKey) (model.SigningKey, error) {
		cur.Status = model.KeyDisabled
		return cur, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateSigningKey with a failing updater: got %v, want the updater's error", err)
	}
	wantList(t, "ListSigningKeys after a refused update", listKeys(t, s, tenant.ID), []model.SigningKey{orig})
}

func testKeyOtherTenant(t *testing.T, s storage.Store) {
	owner, intruder := newTenant(t, s), newTenant(t, s)
	k := makeKey(owner.ID, base)
	must(t, s.CreateSigningKey(t.Context(), k), "create signing key")
	if list := listKeys(t, s, intruder.ID); len(list) != 0 {
		t.Errorf("ListSigningKeys under another tenant: got %v, want none", idsOf(list))
	}
	err := s.UpdateSigningKey(t.Context(), intruder.ID, k.ID, func(cur model.SigningKey) (model.SigningKey, error) {
		cur.Status = model.KeyDisabled
		return cur, nil
	})
	wantNotFound(t, err, "UpdateSigningKey under another tenant")
	wantNotFound(t, s.DeleteSigningKey(t.Context(), intruder.ID, k.ID), "DeleteSigningKey under another tenant")
	wantList(t, "owner's keys after another tenant's update and delete", listKeys(t, s, owner.ID), []model.SigningKey{k})
}

func testKeyDelete(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	doomed, kept := makeKey(tenant.ID, base), makeKey(tenant.ID, at(oneDay))
	must(t, s.CreateSigningKey(t.Context(), doomed), "create signing key")
	must(t, s.CreateSigningKey(t.Context(), kept), "create signing key")
	must(t, s.DeleteSigningKey(t.Context(), tenant.ID, doomed.ID), "delete signing key")
	wantList(t, "ListSigningKeys after delete", listKeys(t, s, tenant.ID), []model.SigningKey{kept})
	wantNotFound(t, s.DeleteSigningKey(t.Context(), tenant.ID, doomed.ID), "second DeleteSigningKey")
}

// testKeysListAll: every owner's keys come back in one list, oldest first, including keys
// whose owner is no tenant (the deployment's shared keys).
func testKeysListAll(t *testing.T, s storage.Store) {
	before, err := s.ListAllSigningKeys(t.Context())
	must(t, err, "list all signing keys")
	a, b := newTenant(t, s), newTenant(t, s)
	shared := makeKey("deployment-"+model.NewID(), at(oneDay))
	ka, kb := makeKey(a.ID, at(2*oneDay)), makeKey(b.ID, base)
	for _, k := range []model.SigningKey{shared, ka, kb} {
		must(t, s.CreateSigningKey(t.Context(), k), "create signing key")
	}
	all, err := s.ListAllSigningKeys(t.Context())
	must(t, err, "list all signing keys")
	var mine []model.SigningKey
	for _, k := range all {
		if k.TenantID == a.ID || k.TenantID == b.ID || k.TenantID == shared.TenantID {
			mine = append(mine, k)
		}
	}
	wantList(t, "ListAllSigningKeys", mine, []model.SigningKey{kb, shared, ka})
	if len(all) != len(before)+3 {
		t.Errorf("ListAllSigningKeys: %d keys, want %d", len(all), len(before)+3)
	}
	must(t, s.DeleteSigningKey(t.Context(), shared.TenantID, shared.ID), "delete signing key")
	all, err = s.ListAllSigningKeys(t.Context())
	must(t, err, "list all signing keys")
	if len(all) != len(before)+2 {
		t.Errorf("ListAllSigningKeys after a delete: %d keys, want %d", len(all), len(before)+2)
	}
}
