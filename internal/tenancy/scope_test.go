package tenancy

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// appCaller is a caller acting with a client token of app's default client: no admin role,
// the permissions of the client's roles, as auth.Service.Caller computes them.
func appCaller(app AppView) model.Caller {
	return model.Caller{TenantID: app.TenantID, AppID: app.ID, ClientID: app.Default.ID,
		Permissions: clientroles.PermissionsOf(app.Default.RoleIDs)}
}

// TestClientTokenReachesOnlyItsOwnApplication checks Mosaic's application-level access: an
// application's own token reads and changes that application, its clients and its login
// preferences, and finds no other application of the tenant.
func TestClientTokenReachesOnlyItsOwnApplication(t *testing.T) {
	f := newFixture(t)
	admin, _ := f.admin(t)
	own, res := f.shop(t, admin)
	other, _, err := f.svc.CreateApplication(t.Context(), admin, ApplicationInput{Name: ptr("Other")})
	must(t, err, "create other application")
	me := appCaller(own)
	ctx := t.Context()

	if _, err := f.svc.Application(ctx, me, own.ID); err != nil {
		t.Errorf("own application: %v", err)
	}
	got, err := f.svc.UpdateApplication(ctx, me, own.ID, ApplicationInput{Description: ptr("mine"), ClientDisplayName: ptr("Web")})
	must(t, err, "update own application")
	if got.Description != "mine" || got.Default == nil || got.Default.Name != "Web" {
		t.Errorf("own application after update: %+v, default %+v", got.Application, got.Default)
	}
	issued, err := f.svc.CreateClient(ctx, me, own.ID, ClientInput{Name: ptr("second")})
	must(t, err, "create a client of its own application")
	if _, err := f.svc.RotateClientSecret(ctx, me, own.ID, issued.Client.ID); err != nil {
		t.Errorf("rotate a client of its own application: %v", err)
	}
	_, err = f.svc.SetAuthMethods(ctx, me, own.ID, map[string]json.RawMessage{"sms": json.RawMessage(`{"codeLength":4}`)})
	must(t, err, "set own login preferences")

	// Another application of the same tenant is not found, whatever the call.
	calls := map[string]func() error{
		"Application": func() error { _, err := f.svc.Application(ctx, me, other.ID); return err },
		"UpdateApplication": func() error {
			_, err := f.svc.UpdateApplication(ctx, me, other.ID, ApplicationInput{Name: ptr("x")})
			return err
		},
		"ListClients":  func() error { _, err := f.svc.ListClients(ctx, me, other.ID); return err },
		"CreateClient": func() error { _, err := f.svc.CreateClient(ctx, me, other.ID, ClientInput{Name: ptr("x")}); return err },
		"Client":       func() error { _, err := f.svc.Client(ctx, me, other.ID, other.Default.ID); return err },
		"UpdateClient": func() error {
			_, err := f.svc.UpdateClient(ctx, me, other.ID, other.Default.ID, ClientInput{Name: ptr("x")})
			return err
		},
		"RotateClientSecret": func() error { _, err := f.svc.RotateClientSecret(ctx, me, other.ID, other.Default.ID); return err },
		"DeleteClient":       func() error { return f.svc.DeleteClient(ctx, me, other.ID, other.Default.ID) },
		"DeleteAppClients":   func() error { return f.svc.DeleteAppClients(ctx, me, other.ID) },
		"LoginPreferences":   func() error { _, err := f.svc.LoginPreferences(ctx, me, other.ID); return err },
		"SetAuthMethods": func() error {
			_, err := f.svc.SetAuthMethods(ctx, me, other.ID, map[string]json.RawMessage{"sms": json.RawMessage(`{"codeLength":4}`)})
			return err
		},
	}
	for name, call := range calls {
		wantFault(t, call(), fault.NotFound, fault.CodeAppNotFound, name)
	}
	after, err := f.svc.Application(ctx, admin, other.ID)
	must(t, err, "other application, as the admin")
	if after.Name != "Other" || after.Default == nil || after.Default.ID != other.Default.ID {
		t.Errorf("the other application changed: %+v", after)
	}

	// Resources are given with write:resource, which the default role lacks: not with the
	// application's own token, unless the list is sent back unchanged.
	_, err = f.svc.UpdateClient(ctx, me, own.ID, issued.Client.ID, ClientInput{ResourceIDs: ptr([]string{res.ID})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "give a resource with an application token")
	_, err = f.svc.CreateClient(ctx, me, own.ID, ClientInput{Name: ptr("x"), ResourceIDs: ptr([]string{res.ID})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "create a client with a resource")
	_, err = f.svc.UpdateApplication(ctx, me, own.ID, ApplicationInput{ResourceIDs: ptr([]string{res.ID})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "give the default client a resource")
	if _, err := f.svc.UpdateClient(ctx, me, own.ID, issued.Client.ID, ClientInput{ResourceIDs: ptr([]string{}), Name: ptr("renamed")}); err != nil {
		t.Errorf("an unchanged resource list: %v", err)
	}
	clients, err := f.svc.ListClients(ctx, admin, own.ID)
	must(t, err, "list clients")
	for _, cl := range clients {
		if len(cl.ResourceIDs) != 0 {
			t.Errorf("client %s got resources %q from an application token", cl.Name, cl.ResourceIDs)
		}
	}
	// The list the administrator gave, sent back in another order, is unchanged.
	res2, err := f.svc.CreateResource(ctx, admin, ResourceInput{URI: ptr("https://api2.shop.example")})
	must(t, err, "create a second resource")
	_, err = f.svc.SetClientResources(ctx, admin, own.ID, issued.Client.ID, []string{res.ID, res2.ID})
	must(t, err, "give the client two resources")
	if _, err := f.svc.UpdateClient(ctx, me, own.ID, issued.Client.ID, ClientInput{ResourceIDs: ptr([]string{res2.ID, res.ID, res2.ID})}); err != nil {
		t.Errorf("the same resources in another order: %v", err)
	}
	_, err = f.svc.UpdateClient(ctx, me, own.ID, issued.Client.ID, ClientInput{ResourceIDs: ptr([]string{res2.ID})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "take a resource away with an application token")

	// Deleting every client of its own application would delete the caller's own client.
	wantFault(t, f.svc.DeleteAppClients(ctx, me, own.ID), fault.Conflict, fault.CodeConflict, "delete its own clients")
	if n, _ := f.svc.ListClients(ctx, admin, own.ID); len(n) != 2 {
		t.Errorf("a refused delete of all clients left %d clients, want 2", len(n))
	}
}

func TestDeleteAppClients(t *testing.T) {
	f := newFixture(t)
	admin, _ := f.admin(t)
	app, _ := f.shop(t, admin)
	second, err := f.svc.CreateClient(t.Context(), admin, app.ID, ClientInput{Name: ptr("second")})
	must(t, err, "create client")
	must(t, f.svc.DeleteAppClients(t.Context(), admin, app.ID), "delete all clients")
	left, err := f.svc.ListClients(t.Context(), admin, app.ID)
	must(t, err, "list clients")
	if len(left) != 0 {
		t.Errorf("clients left: %d", len(left))
	}
	if _, _, err := f.svc.AuthenticateClient(t.Context(), second.Client.ID, second.Secret); err == nil {
		t.Error("a deleted client still authenticates")
	}
	view, err := f.svc.Application(t.Context(), admin, app.ID)
	must(t, err, "application without clients")
	if view.Default != nil {
		t.Errorf("default client of an application without clients: %+v", view.Default)
	}
	wantFault(t, f.svc.DeleteAppClients(t.Context(), admin, model.NewID()), fault.NotFound, fault.CodeAppNotFound, "missing application")
	// The administrator's own management application keeps its client.
	wantFault(t, f.svc.DeleteAppClients(t.Context(), admin, admin.AppID), fault.Conflict, fault.CodeConflict, "the caller's own application")
	if mine, _ := f.svc.ListClients(t.Context(), admin, admin.AppID); !slices.ContainsFunc(mine, func(c model.Client) bool { return c.ID == admin.ClientID }) {
		t.Error("the caller's client was deleted")
	}
}
