package tenancy

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
)

// TestTenantIsolation checks that an admin of tenant B gets not-found for every id of tenant
// A, whatever the method, and that none of those calls changes tenant A.
func TestTenantIsolation(t *testing.T) {
	testTenantIsolation(t, newFixture(t))
}

func TestTenantIsolationPostgres(t *testing.T) {
	testTenantIsolation(t, newFixtureOn(t, true))
}

func testTenantIsolation(t *testing.T, f *fixture) {
	a, ab := f.admin(t)
	b, _ := f.admin(t)
	app, res := f.shop(t, a)
	issued, err := f.svc.CreateClient(t.Context(), a, app.ID, ClientInput{Name: ptr("web")})
	must(t, err, "create client")
	cl := issued.Client
	ctx := t.Context()

	appCalls := map[string]func() error{
		"Application": func() error { _, err := f.svc.Application(ctx, b, app.ID); return err },
		"UpdateApplication": func() error {
			_, err := f.svc.UpdateApplication(ctx, b, app.ID, ApplicationInput{Name: ptr("x")})
			return err
		},
		"DeleteApplication": func() error { return f.svc.DeleteApplication(ctx, b, app.ID) },
		"ListClients":       func() error { _, err := f.svc.ListClients(ctx, b, app.ID); return err },
		"CreateClient":      func() error { _, err := f.svc.CreateClient(ctx, b, app.ID, ClientInput{Name: ptr("x")}); return err },
		"SetAppResources":   func() error { _, err := f.svc.SetAppResources(ctx, b, app.ID, nil); return err },
		"DeleteAppClients":  func() error { return f.svc.DeleteAppClients(ctx, b, app.ID) },
		"LoginPreferences":  func() error { _, err := f.svc.LoginPreferences(ctx, b, app.ID); return err },
		"SetAuthMethods": func() error {
			_, err := f.svc.SetAuthMethods(ctx, b, app.ID, map[string]json.RawMessage{"sms": json.RawMessage(`{"codeLength":4}`)})
			return err
		},
	}
	for name, call := range appCalls {
		wantFault(t, call(), fault.NotFound, fault.CodeAppNotFound, name)
	}

	clientCalls := map[string]func() error{
		"Client": func() error { _, err := f.svc.Client(ctx, b, app.ID, cl.ID); return err },
		"UpdateClient": func() error {
			_, err := f.svc.UpdateClient(ctx, b, app.ID, cl.ID, ClientInput{Name: ptr("x")})
			return err
		},
		"RotateClientSecret": func() error { _, err := f.svc.RotateClientSecret(ctx, b, app.ID, cl.ID); return err },
		"SetClientResources": func() error { _, err := f.svc.SetClientResources(ctx, b, app.ID, cl.ID, nil); return err },
		"DeleteClient":       func() error { return f.svc.DeleteClient(ctx, b, app.ID, cl.ID) },
	}
	for name, call := range clientCalls {
		wantFault(t, call(), fault.NotFound, fault.CodeClientNotFound, name)
	}

	resourceCalls := map[string]func() error{
		"Resource": func() error { _, err := f.svc.Resource(ctx, b, res.ID); return err },
		"UpdateResource": func() error {
			_, err := f.svc.UpdateResource(ctx, b, res.ID, ResourceInput{Name: ptr("x")})
			return err
		},
		"DeleteResource": func() error { return f.svc.DeleteResource(ctx, b, res.ID) },
		"ResourceByURI":  func() error { _, err := f.svc.ResourceByURI(ctx, b, res.URI); return err },
	}
	for name, call := range resourceCalls {
		wantFault(t, call(), fault.NotFound, fault.CodeResourceNotFound, name)
	}

	// A resource of tenant A cannot be given to a client of tenant B.
	bApp, _ := f.shop(t, b)
	_, err = f.svc.SetAppResources(ctx, b, bApp.ID, []string{res.ID})
	wantProblems(t, err, "foreign resource", res.ID)

	// Lists show only the caller's own tenant.
	apps, err := f.svc.ListApplications(ctx, b)
	must(t, err, "list applications")
	if slices.ContainsFunc(apps, func(x AppView) bool { return x.TenantID != b.TenantID }) || len(apps) != 3 {
		t.Errorf("tenant B's applications: got %d, some perhaps of tenant A", len(apps))
	}
	resources, err := f.svc.ListResources(ctx, b)
	must(t, err, "list resources")
	if len(resources) != 1 || resources[0].TenantID != b.TenantID {
		t.Errorf("tenant B's resources: got %+v", resources)
	}

	// Tenant A is untouched.
	gotApp, err := f.svc.Application(ctx, a, app.ID)
	must(t, err, "get application of tenant A")
	if gotApp.Name != "Shop" {
		t.Errorf("tenant A's application changed: %+v", gotApp)
	}
	if _, _, err := f.svc.AuthenticateClient(ctx, cl.ID, issued.Secret); err != nil {
		t.Errorf("tenant A's client after tenant B's calls: %v", err)
	}
	if _, err := f.svc.Resource(ctx, a, res.ID); err != nil {
		t.Errorf("tenant A's resource after tenant B's calls: %v", err)
	}
	if _, _, err := f.svc.AuthenticateClient(ctx, ab.ClientID, ab.ClientSecret); err != nil {
		t.Errorf("tenant A's demo client: %v", err)
	}
}
