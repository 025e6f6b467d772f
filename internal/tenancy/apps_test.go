package tenancy

import (
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func TestCreateApplication(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	app, issued, err := f.svc.CreateApplication(t.Context(), c, ApplicationInput{
		Name:                  ptr("  Shop "),
		Description:           ptr("the shop"),
		RedirectURIs:          ptr([]string{"https://shop.example/cb", "https://shop.example/cb"}),
		AllowPublicSignup:     ptr(true),
		EnumerationProtection: ptr(true),
	})
	must(t, err, "create application")
	if app.Name != "Shop" || app.Kind != model.AppKindStandard || app.TenantID != c.TenantID ||
		!app.AllowPublicSignup || !app.EnumerationProtection || !slices.Equal(app.RedirectURIs, []string{"https://shop.example/cb"}) {
		t.Errorf("created application: got %+v", app)
	}
	if issued.Secret == "" || issued.Client.AppID != app.ID || !slices.Equal(issued.Client.RedirectURIs, app.RedirectURIs) {
		t.Errorf("default client: got %+v", issued)
	}
	got, err := f.svc.Application(t.Context(), c, app.ID)
	must(t, err, "get application")
	if got.Name != app.Name || !got.CreatedAt.Equal(app.CreatedAt) || got.Description != "the shop" {
		t.Errorf("stored application: got %+v, want %+v", got, app)
	}
	_, gotApp, err := f.svc.AuthenticateClient(t.Context(), issued.Client.ID, issued.Secret)
	must(t, err, "authenticate default client")
	if gotApp.ID != app.ID {
		t.Errorf("default client's application: got %s, want %s", gotApp.ID, app.ID)
	}

	mgmt, _, err := f.svc.CreateApplication(t.Context(), c, ApplicationInput{Name: ptr("Ops"), Kind: ptr(model.AppKindManagement)})
	must(t, err, "create management application")
	if mgmt.Kind != model.AppKindManagement {
		t.Errorf("kind: got %q, want management", mgmt.Kind)
	}

	list, err := f.svc.ListApplications(t.Context(), c)
	must(t, err, "list applications")
	if len(list) != 4 || list[2].ID != app.ID || list[3].ID != mgmt.ID {
		t.Errorf("ListApplications: got %d apps, want the two bootstrapped ones then Shop then Ops", len(list))
	}
}

func TestCreateApplicationListsEveryProblem(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	_, _, err := f.svc.CreateApplication(t.Context(), c, ApplicationInput{
		Kind:         ptr("superuser"),
		Description:  ptr("tab\x00nul"),
		RedirectURIs: ptr([]string{"/relative", "ftp://files.example/x", "https://shop.example/cb#frag", "https://ok.example/cb"}),
	})
	wantProblems(t, err, "invalid application", "app_name is required", "kind must be",
		`"/relative" is not an absolute URL`, "must use http or https", "must not have a fragment",
		"app_description must be valid UTF-8 without NUL characters")
	apps, _ := f.svc.ListApplications(t.Context(), c)
	if len(apps) != 2 {
		t.Errorf("a rejected create stored something: %d applications", len(apps))
	}
}

func TestUpdateApplicationIsPartial(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	app, _, err := f.svc.CreateApplication(t.Context(), c, ApplicationInput{
		Name: ptr("Shop"), Description: ptr("before"), RedirectURIs: ptr([]string{"https://shop.example/cb"}),
	})
	must(t, err, "create application")

	got, err := f.svc.UpdateApplication(t.Context(), c, app.ID, ApplicationInput{Description: ptr("after"), AllowPublicSignup: ptr(true)})
	must(t, err, "update application")
	if got.Name != "Shop" || got.Description != "after" || !got.AllowPublicSignup ||
		!slices.Equal(got.RedirectURIs, app.RedirectURIs) || !got.UpdatedAt.After(app.UpdatedAt) {
		t.Errorf("after partial update: got %+v", got)
	}
	stored, err := f.svc.Application(t.Context(), c, app.ID)
	must(t, err, "get application")
	if stored.Description != "after" || stored.Name != "Shop" {
		t.Errorf("stored after update: got %+v", stored)
	}

	_, err = f.svc.UpdateApplication(t.Context(), c, app.ID, ApplicationInput{
		Name: ptr(""), Kind: ptr(model.AppKindManagement), RedirectURIs: ptr([]string{"nope"}),
	})
	wantProblems(t, err, "invalid update", "app_name is required", "kind cannot be changed", "not an absolute URL")
	stored, _ = f.svc.Application(t.Context(), c, app.ID)
	if stored.Name != "Shop" || stored.Kind != model.AppKindStandard {
		t.Errorf("a rejected update changed the application: %+v", stored)
	}

	_, err = f.svc.UpdateApplication(t.Context(), c, model.NewID(), ApplicationInput{Description: ptr("x")})
	wantFault(t, err, fault.NotFound, fault.CodeAppNotFound, "update of a missing application")
}

func TestDeleteApplication(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	app, issued, err := f.svc.CreateApplication(t.Context(), c, ApplicationInput{Name: ptr("Shop")})
	must(t, err, "create application")
	must(t, f.svc.DeleteApplication(t.Context(), c, app.ID), "delete application")

	_, err = f.svc.Application(t.Context(), c, app.ID)
	wantFault(t, err, fault.NotFound, fault.CodeAppNotFound, "get of a deleted application")
	_, _, err = f.svc.AuthenticateClient(t.Context(), issued.Client.ID, issued.Secret)
	wantFault(t, err, fault.Unauthenticated, "invalid_client", "client of a deleted application")
	err = f.svc.DeleteApplication(t.Context(), c, app.ID)
	wantFault(t, err, fault.NotFound, fault.CodeAppNotFound, "second delete")

	err = f.svc.DeleteApplication(t.Context(), c, c.AppID)
	wantFault(t, err, fault.Conflict, fault.CodeConflict, "delete of the caller's own application")
	if _, err := f.svc.Application(t.Context(), c, c.AppID); err != nil {
		t.Errorf("caller's application after a refused delete: %v", err)
	}
}

// TestApplicationMosaicFields checks the application fields Mosaic has beyond Latchkey's own:
// the descriptive ones kept as given, and the deprecated ones that set the default client.
func TestApplicationMosaicFields(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	res, err := f.svc.CreateResource(t.Context(), c, ResourceInput{URI: ptr("https://api.shop.example")})
	must(t, err, "create resource")
	app, issued, err := f.svc.CreateApplication(t.Context(), c, ApplicationInput{
		Name: ptr("Shop"), Logo: ptr("https://shop.example/logo.png"), ServiceProviders: ptr([]string{"sp-1", "sp-1", "sp-2"}),
		Authenticator: &model.AuthenticatorPreferences{IsCentralized: true, LoginURI: "https://shop.example/login"},
		LoginURI:      ptr("https://shop.example/signin"), RedirectURIs: ptr([]string{"https://shop.example/cb"}),
		ClientDisplayName: ptr("Shop web"), ClientDescription: ptr("the web front"), ClientType: ptr("native"),
		ResourceIDs: ptr([]string{res.ID}),
	})
	must(t, err, "create application")
	if app.CreatedBy != c.ClientID || app.Logo != "https://shop.example/logo.png" ||
		!slices.Equal(app.Profile.ServiceProviders, []string{"sp-1", "sp-2"}) || !app.Profile.Authenticator.IsCentralized ||
		app.Profile.LoginURI != "https://shop.example/signin" {
		t.Errorf("created application: %+v", app.Application)
	}
	def := issued.Client
	if app.Default == nil || app.Default.ID != def.ID || def.Name != "Shop web" || def.Description != "the web front" ||
		def.ClientType != model.ClientTypeNative || !slices.Equal(def.ResourceIDs, []string{res.ID}) ||
		!slices.Equal(def.RedirectURIs, []string{"https://shop.example/cb"}) {
		t.Errorf("default client: %+v", def)
	}

	// Updating the application's redirect URIs and client fields changes the default client
	// (the oldest), not a later one.
	later, err := f.svc.CreateClient(t.Context(), c, app.ID, ClientInput{Name: ptr("later")})
	must(t, err, "create a second client")
	got, err := f.svc.UpdateApplication(t.Context(), c, app.ID, ApplicationInput{
		RedirectURIs: ptr([]string{"https://shop.example/new"}), ClientDisplayName: ptr("renamed"), ResourceIDs: ptr([]string{}),
		Authenticator: &model.AuthenticatorPreferences{},
	})
	must(t, err, "update application")
	if got.Default == nil || got.Default.ID != def.ID || got.Default.Name != "renamed" || len(got.Default.ResourceIDs) != 0 ||
		!slices.Equal(got.Default.RedirectURIs, []string{"https://shop.example/new"}) || got.Profile.Authenticator.IsCentralized {
		t.Errorf("after update: %+v, default %+v", got.Application, got.Default)
	}
	if l, _ := f.svc.Client(t.Context(), c, app.ID, later.Client.ID); l.Name != "later" || len(l.RedirectURIs) != 0 {
		t.Errorf("a later client changed with the application: %+v", l)
	}

	_, err = f.svc.UpdateApplication(t.Context(), c, app.ID, ApplicationInput{
		Logo: ptr("tab\tin a logo"), ClientType: ptr("desktop"), ClientDisplayName: ptr(" "),
		Authenticator: &model.AuthenticatorPreferences{LoginURI: strings.Repeat("x", 2049)}, ResourceIDs: ptr([]string{"missing-resource"}),
	})
	wantProblems(t, err, "invalid Mosaic fields", "logo must not contain control characters", "client_type must be",
		"client_display_name is required", "authenticator_preferences.login_uri must be at most 2048", "missing-resource")
	stored, _ := f.svc.Application(t.Context(), c, app.ID)
	if stored.Logo != app.Logo || stored.Default.Name != "renamed" {
		t.Errorf("a refused update changed something: %+v, default %+v", stored.Application, stored.Default)
	}
}
