package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var resourceTests = []namedTest{
	{"RoundTrip", testResourceRoundTrip},
	{"GetMissing", testResourceGetMissing},
	{"DuplicateURI", testResourceDuplicateURI},
	{"SameURIOtherTenant", testResourceSameURIOtherTenant},
	{"ListPerTenant", testResourceListPerTenant},
	{"OtherTenant", testResourceOtherTenant},
	{"Update", testResourceUpdate},
	{"UpdateRefused", testResourceUpdateRefused},
	{"UpdateTakenURI", testResourceUpdateTakenURI},
	{"Delete", testResourceDelete},
}

func testResourceRoundTrip(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	want := newResource(t, s, tenant.ID)
	got, err := s.GetResource(t.Context(), tenant.ID, want.ID)
	must(t, err, "get resource")
	wantEqual(t, "GetResource", got, want)
	got, err = s.GetResourceByURI(t.Context(), tenant.ID, want.URI)
	must(t, err, "get resource by URI")
	wantEqual(t, "GetResourceByURI", got, want)
}

func testResourceGetMissing(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	newResource(t, s, tenant.ID)
	_, err := s.GetResource(t.Context(), tenant.ID, model.NewID())
	wantNotFound(t, err, "GetResource of a missing id")
	_, err = s.GetResourceByURI(t.Context(), tenant.ID, "https://nowhere.example/")
	wantNotFound(t, err, "GetResourceByURI of a missing URI")
	err = s.UpdateResource(t.Context(), tenant.ID, model.NewID(), func(r model.Resource) (model.Resource, error) {
		return r, nil
	})
	wantNotFound(t, err, "UpdateResource of a missing id")
	wantNotFound(t, s.DeleteResource(t.Context(), tenant.ID, model.NewID()), "DeleteResource of a missing id")
}

func testResourceDuplicateURI(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	first := newResource(t, s, tenant.ID)
	second := makeResource(tenant.ID)
	second.URI = first.URI
	wantDuplicate(t, s.CreateResource(t.Context(), second), "uri", "CreateResource with a taken URI")
	_, err := s.GetResource(t.Context(), tenant.ID, second.ID)
	wantNotFound(t, err, "GetResource of the rejected resource")
	got, err := s.GetResourceByURI(t.Context(), tenant.ID, first.URI)
	must(t, err, "get resource by URI")
	wantEqual(t, "resource owning the URI", got, first)
}

func testResourceSameURIOtherTenant(t *testing.T, s storage.Store) {
	a, b := newTenant(t, s), newTenant(t, s)
	first := newResource(t, s, a.ID)
	second := makeResource(b.ID)
	second.URI = first.URI
	must(t, s.CreateResource(t.Context(), second), "create resource with another tenant's URI")
	got, err := s.GetResourceByURI(t.Context(), a.ID, first.URI)
	must(t, err, "get resource by URI in tenant A")
	wantEqual(t, "tenant A's resource", got, first)
	got, err = s.GetResourceByURI(t.Context(), b.ID, first.URI)
	must(t, err, "get resource by URI in tenant B")
	wantEqual(t, "tenant B's resource", got, second)
}

func testResourceListPerTenant(t *testing.T, s storage.Store) {
	a, b := newTenant(t, s), newTenant(t, s)
	list, err := s.ListResources(t.Context(), a.ID)
	must(t, err, "list resources of a tenant without any")
	if len(list) != 0 {
		t.Errorf("ListResources of a tenant without any: got %v", idsOf(list))
	}
	want := []model.Resource{newResource(t, s, a.ID), newResource(t, s, a.ID)}
	other := newResource(t, s, b.ID)
	list, err = s.ListResources(t.Context(), a.ID)
	must(t, err, "list resources")
	wantList(t, "ListResources of tenant A", sortedByID(list), sortedByID(want))
	list, err = s.ListResources(t.Context(), b.ID)
	must(t, err, "list resources")
	wantIDs(t, "ListResources of tenant B", list, other.ID)
}

func testResourceOtherTenant(t *testing.T, s storage.Store) {
	owner, intruder := newTenant(t, s), newTenant(t, s)
	r := newResource(t, s, owner.ID)
	_, err := s.GetResource(t.Context(), intruder.ID, r.ID)
	wantNotFound(t, err, "GetResource under another tenant")
	_, err = s.GetResourceByURI(t.Context(), intruder.ID, r.URI)
	wantNotFound(t, err, "GetResourceByURI under another tenant")
	err = s.UpdateResource(t.Context(), intruder.ID, r.ID, func(cur model.Resource) (model.Resource, error) {
		cur.Name = "hijacked"
		return cur, nil
	})
	wantNotFound(t, err, "UpdateResource under another tenant")
	wantNotFound(t, s.DeleteResource(t.Context(), intruder.ID, r.ID), "DeleteResource under another tenant")
	got, err := s.GetResource(t.Context(), owner.ID, r.ID)
	must(t, err, "get resource")
	wantEqual(t, "resource after another tenant's update and delete", got, r)
}

func testResourceUpdate(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	orig := newResource(t, s, tenant.ID)
	want := orig
	want.URI = "https://api.example/v2/" + orig.ID
	want.Name = "renamed"
	want.Description = ""
	want.AccessTokenTTL = 900
	want.RefreshTokenTTL = 0
	want.MaxRefreshRotate = 3600
	want.UpdatedAt = at(time.Hour)
	var seen model.Resource
	err := s.UpdateResource(t.Context(), tenant.ID, orig.ID, func(cur model.Resource) (model.Resource, error) {
		seen = cur
		return want, nil
	})
	must(t, err, "update resource")
	wantEqual(t, "resource seen by the updater", seen, orig)
	got, err := s.GetResourceByURI(t.Context(), tenant.ID, want.URI)
	must(t, err, "get resource by its new URI")
	wantEqual(t, "resource after update", got, want)
	_, err = s.GetResourceByURI(t.Context(), tenant.ID, orig.URI)
	wantNotFound(t, err, "GetResourceByURI of the old URI")
}

func testResourceUpdateRefused(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	orig := newResource(t, s, tenant.ID)
	err := s.UpdateResource(t.Context(), tenant.ID, orig.ID, func(cur model.Resource) (model.Resource, error) {
		cur.Name = "changed"
		return cur, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateResource with a failing updater: got %v, want the updater's error", err)
	}
	got, err := s.GetResource(t.Context(), tenant.ID, orig.ID)
	must(t, err, "get resource")
	wantEqual(t, "resource after a refused update", got, orig)
}

func testResourceUpdateTakenURI(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	a, b := newResource(t, s, tenant.ID), newResource(t, s, tenant.ID)
	err := s.UpdateResource(t.Context(), tenant.ID, b.ID, func(cur model.Resource) (model.Resource, error) {
		cur.URI = a.URI
		return cur, nil
	})
	wantAlreadyExists(t, err, "uri", "UpdateResource to a taken URI")
	got, err := s.GetResource(t.Context(), tenant.ID, b.ID)
	must(t, err, "get resource")
	wantEqual(t, "resource after a colliding update", got, b)
}

func testResourceDelete(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	doomed, kept := newResource(t, s, tenant.ID), newResource(t, s, tenant.ID)
	must(t, s.DeleteResource(t.Context(), tenant.ID, doomed.ID), "delete resource")
	_, err := s.GetResource(t.Context(), tenant.ID, doomed.ID)
	wantNotFound(t, err, "GetResource after delete")
	_, err = s.GetResourceByURI(t.Context(), tenant.ID, doomed.URI)
	wantNotFound(t, err, "GetResourceByURI after delete")
	wantNotFound(t, s.DeleteResource(t.Context(), tenant.ID, doomed.ID), "second DeleteResource")
	list, err := s.ListResources(t.Context(), tenant.ID)
	must(t, err, "list resources")
	wantIDs(t, "ListResources after delete", list, kept.ID)
	// The URI is free again.
	again := makeResource(tenant.ID)
	again.URI = doomed.URI
	must(t, s.CreateResource(t.Context(), again), "create resource with a deleted resource's URI")
}
