package storagetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var appTests = []namedTest{
	{"RoundTrip", testAppRoundTrip},
	{"GetMissing", testAppGetMissing},
	{"DuplicateID", testAppDuplicateID},
	{"ListPerTenant", testAppListPerTenant},
	{"OtherTenant", testAppOtherTenant},
	{"Update", testAppUpdate},
	{"UpdateRefused", testAppUpdateRefused},
	{"Delete", testAppDelete},
	{"DeleteCascades", testAppDeleteCascades},
}

func testAppRoundTrip(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	want := newApp(t, s, tenant.ID)
	got, err := s.GetApplication(t.Context(), tenant.ID, want.ID)
	must(t, err, "get application")
	wantEqual(t, "GetApplication", got, want)

	// A management application with nothing optional set.
	bare := model.Application{ID: model.NewID(), TenantID: tenant.ID, Name: "admin", Kind: model.AppKindManagement,
		CreatedAt: base, UpdatedAt: base}
	must(t, s.CreateApplication(t.Context(), bare), "create bare application")
	got, err = s.GetApplication(t.Context(), tenant.ID, bare.ID)
	must(t, err, "get bare application")
	wantEqual(t, "GetApplication of a bare application", got, bare)
}

func testAppGetMissing(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	newApp(t, s, tenant.ID)
	_, err := s.GetApplication(t.Context(), tenant.ID, model.NewID())
	wantNotFound(t, err, "GetApplication of a missing id")
	err = s.UpdateApplication(t.Context(), tenant.ID, model.NewID(), func(a model.Application) (model.Application, error) {
		return a, nil
	})
	wantNotFound(t, err, "UpdateApplication of a missing id")
	wantNotFound(t, s.DeleteApplication(t.Context(), tenant.ID, model.NewID()), "DeleteApplication of a missing id")
}

func testAppDuplicateID(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	first := newApp(t, s, tenant.ID)
	second := makeApp(tenant.ID)
	second.ID = first.ID
	if err := s.CreateApplication(t.Context(), second); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("CreateApplication with a taken id: got %v, want ErrAlreadyExists", err)
	}
	got, err := s.GetApplication(t.Context(), tenant.ID, first.ID)
	must(t, err, "get application")
	wantEqual(t, "first application after the rejected create", got, first)
}

func testAppListPerTenant(t *testing.T, s storage.Store) {
	a, b := newTenant(t, s), newTenant(t, s)
	list, err := s.ListApplications(t.Context(), a.ID)
	must(t, err, "list applications of a tenant without any")
	if len(list) != 0 {
		t.Errorf("ListApplications of a tenant without any: got %v", idsOf(list))
	}
	want := []model.Application{newApp(t, s, a.ID), newApp(t, s, a.ID)}
	other := newApp(t, s, b.ID)
	list, err = s.ListApplications(t.Context(), a.ID)
	must(t, err, "list applications")
	wantList(t, "ListApplications of tenant A", sortedByID(list), sortedByID(want))
	list, err = s.ListApplications(t.Context(), b.ID)
	must(t, err, "list applications")
	wantIDs(t, "ListApplications of tenant B", list, other.ID)
}

func testAppOtherTenant(t *testing.T, s storage.Store) {
	owner, intruder := newTenant(t, s), newTenant(t, s)
	app := newApp(t, s, owner.ID)
	_, err := s.GetApplication(t.Context(), intruder.ID, app.ID)
	wantNotFound(t, err, "GetApplication under another tenant")
	called := false
	err = s.UpdateApplication(t.Context(), intruder.ID, app.ID, func(a model.Application) (model.Application, error) {
		called = true
		a.Name = "hijacked"
		return a, nil
	})
	wantNotFound(t, err, "UpdateApplication under another tenant")
	if called {
		t.Errorf("UpdateApplication under another tenant showed the application to the updater")
	}
	wantNotFound(t, s.DeleteApplication(t.Context(), intruder.ID, app.ID), "DeleteApplication under another tenant")
	got, err := s.GetApplication(t.Context(), owner.ID, app.ID)
	must(t, err, "get application under its own tenant")
	wantEqual(t, "application after another tenant's update and delete", got, app)
}

func testAppUpdate(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	orig := newApp(t, s, tenant.ID)
	want := orig
	want.Name = "renamed"
	want.Description = ""
	want.RedirectURIs = []string{"https://new.example/cb"}
	want.AllowPublicSignup = false
	want.Preferences.SMS.CodeLength = 6
	want.Preferences.MagicLink.Message.Subject = "Sign in"
	want.Preferences.Unimplemented = map[string]json.RawMessage{model.MethodPush: json.RawMessage(`{"fcm":{}}`)}
	want.Logo = ""
	want.Profile = model.AppProfile{}
	want.UpdatedAt = at(time.Hour)
	var seen model.Application
	err := s.UpdateApplication(t.Context(), tenant.ID, orig.ID, func(cur model.Application) (model.Application, error) {
		seen = cur
		return want, nil
	})
	must(t, err, "update application")
	wantEqual(t, "application seen by the updater", seen, orig)
	got, err := s.GetApplication(t.Context(), tenant.ID, orig.ID)
	must(t, err, "get application")
	wantEqual(t, "application after update", got, want)
}

func testAppUpdateRefused(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	orig := newApp(t, s, tenant.ID)
	err := s.UpdateApplication(t.Context(), tenant.ID, orig.ID, func(cur model.Application) (model.Application, error) {
		cur.Name = "changed"
		return cur, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateApplication with a failing updater: got %v, want the updater's error", err)
	}
	got, err := s.GetApplication(t.Context(), tenant.ID, orig.ID)
	must(t, err, "get application")
	wantEqual(t, "application after a refused update", got, orig)
}

func testAppDelete(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	doomed, kept := newApp(t, s, tenant.ID), newApp(t, s, tenant.ID)
	must(t, s.DeleteApplication(t.Context(), tenant.ID, doomed.ID), "delete application")
	_, err := s.GetApplication(t.Context(), tenant.ID, doomed.ID)
	wantNotFound(t, err, "GetApplication after delete")
	wantNotFound(t, s.DeleteApplication(t.Context(), tenant.ID, doomed.ID), "second DeleteApplication")
	list, err := s.ListApplications(t.Context(), tenant.ID)
	must(t, err, "list applications")
	wantIDs(t, "ListApplications after delete", list, kept.ID)
}

func testAppDeleteCascades(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	other := newApp(t, s, e.Tenant.ID)
	otherClient := newClient(t, s, e.Tenant.ID, other.ID)
	must(t, s.LinkUser(t.Context(), makeAppUser(e)), "link user")
	otherLink := makeAppUser(e)
	otherLink.AppID = other.ID
	must(t, s.LinkUser(t.Context(), otherLink), "link user to the other application")

	must(t, s.DeleteApplication(t.Context(), e.Tenant.ID, e.App.ID), "delete application")
	_, err := s.GetClient(t.Context(), e.Client.ID)
	wantNotFound(t, err, "GetClient of a deleted application's client")
	clients, err := s.ListClients(t.Context(), e.Tenant.ID, e.App.ID)
	must(t, err, "list clients of a deleted application")
	if len(clients) != 0 {
		t.Errorf("ListClients of a deleted application: got %v, want none", idsOf(clients))
	}
	_, err = s.GetAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	wantNotFound(t, err, "GetAppUser of a deleted application's link")

	// The user and the other application's client and link stay.
	_, err = s.GetUser(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "get user after their application was deleted")
	_, err = s.GetClient(t.Context(), otherClient.ID)
	must(t, err, "get the other application's client")
	_, err = s.GetAppUser(t.Context(), e.Tenant.ID, other.ID, e.User.ID)
	must(t, err, "get the other application's link")
}
