package tenancy

import (
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// shop creates an application and a resource in the caller's tenant.
func (f *fixture) shop(t *testing.T, c model.Caller) (AppView, model.Resource) {
	t.Helper()
	app, _, err := f.svc.CreateApplication(t.Context(), c, ApplicationInput{Name: ptr("Shop")})
	must(t, err, "create application")
	res, err := f.svc.CreateResource(t.Context(), c, ResourceInput{URI: ptr("https://api.shop.example")})
	must(t, err, "create resource")
	return app, res
}

func TestCreateClient(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	app, res := f.shop(t, c)
	issued, err := f.svc.CreateClient(t.Context(), c, app.ID, ClientInput{
		Name:                ptr("web"),
		Description:         ptr("the web front"),
		RedirectURIs:        ptr([]string{"https://shop.example/cb"}),
		ResourceIDs:         ptr([]string{res.ID, res.ID}),
		DefaultCustomClaims: ptr([]string{"email", "fname"}),
		AccessTokenTTL:      ptr(600),
		RefreshTokenTTL:     ptr(86400),
		SessionExpiration:   ptr(3600),
	})
	must(t, err, "create client")
	cl := issued.Client
	if cl.Name != "web" || cl.AppID != app.ID || cl.TenantID != c.TenantID || !slices.Equal(cl.ResourceIDs, []string{res.ID}) ||
		!slices.Equal(cl.DefaultCustomClaims, []string{"email", "fname"}) || cl.AccessTokenTTL != 600 ||
		cl.RefreshTokenTTL != 86400 || cl.SessionExpiration != 3600 {
		t.Errorf("created client: got %+v", cl)
	}
	got, err := f.svc.Client(t.Context(), c, app.ID, cl.ID)
	must(t, err, "get client")
	if got.Description != "the web front" || !slices.Equal(got.RedirectURIs, cl.RedirectURIs) {
		t.Errorf("stored client: got %+v", got)
	}
	if _, _, err := f.svc.AuthenticateClient(t.Context(), cl.ID, issued.Secret); err != nil {
		t.Errorf("authenticate new client: %v", err)
	}
	list, err := f.svc.ListClients(t.Context(), c, app.ID)
	must(t, err, "list clients")
	if len(list) != 2 || list[1].ID != cl.ID {
		t.Errorf("ListClients: got %d clients, want the default one then web", len(list))
	}
	_, err = f.svc.CreateClient(t.Context(), c, model.NewID(), ClientInput{Name: ptr("x")})
	wantFault(t, err, fault.NotFound, fault.CodeAppNotFound, "client of a missing application")
}

func TestCreateClientListsEveryProblem(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	app, _ := f.shop(t, c)
	missing := model.NewID()
	_, err := f.svc.CreateClient(t.Context(), c, app.ID, ClientInput{
		RedirectURIs:        ptr([]string{"mailto:x@example.com"}),
		ResourceIDs:         ptr([]string{missing}),
		DefaultCustomClaims: ptr([]string{"email", "shoe_size", "acr"}),
		AccessTokenTTL:      ptr(59),
		RefreshTokenTTL:     ptr(31536001),
		SessionExpiration:   ptr(10),
	})
	wantProblems(t, err, "invalid client", "name is required", "must use http or https", missing,
		`claim "shoe_size" is not a claim`, `claim "acr" cannot be requested: backend authentication satisfies no ACR values`, "access_token_ttl must be between 60 and 86400",
		"refresh_token_ttl must be between 300 and 31536000", "session_expiration must be between 60")
	list, _ := f.svc.ListClients(t.Context(), c, app.ID)
	if len(list) != 1 {
		t.Errorf("a rejected create stored something: %d clients", len(list))
	}
}

func TestUpdateClientIsPartial(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	app, res := f.shop(t, c)
	issued, err := f.svc.CreateClient(t.Context(), c, app.ID, ClientInput{Name: ptr("web"), AccessTokenTTL: ptr(600)})
	must(t, err, "create client")
	got, err := f.svc.UpdateClient(t.Context(), c, app.ID, issued.Client.ID, ClientInput{
		Description: ptr("changed"), ResourceIDs: ptr([]string{res.ID}),
	})
	must(t, err, "update client")
	if got.Name != "web" || got.AccessTokenTTL != 600 || got.Description != "changed" || !slices.Equal(got.ResourceIDs, []string{res.ID}) {
		t.Errorf("after partial update: got %+v", got)
	}
	if !slices.Equal(got.SecretHash, issued.Client.SecretHash) {
		t.Error("an update changed the secret")
	}
	_, err = f.svc.UpdateClient(t.Context(), c, app.ID, issued.Client.ID, ClientInput{
		Name: ptr(""), AccessTokenTTL: ptr(100000), ResourceIDs: ptr([]string{"gone-resource"}),
	})
	wantProblems(t, err, "invalid update", "name is required", "access_token_ttl", "gone-resource")
	stored, _ := f.svc.Client(t.Context(), c, app.ID, issued.Client.ID)
	if stored.Name != "web" || stored.AccessTokenTTL != 600 {
		t.Errorf("a rejected update changed the client: %+v", stored)
	}
}

func TestRotateClientSecret(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	app, _ := f.shop(t, c)
	issued, err := f.svc.CreateClient(t.Context(), c, app.ID, ClientInput{Name: ptr("web")})
	must(t, err, "create client")
	rotated, err := f.svc.RotateClientSecret(t.Context(), c, app.ID, issued.Client.ID)
	must(t, err, "rotate")
	if rotated.Secret == "" || rotated.Secret == issued.Secret || rotated.Client.ID != issued.Client.ID {
		t.Fatalf("rotation: got %+v", rotated)
	}
	_, _, err = f.svc.AuthenticateClient(t.Context(), issued.Client.ID, issued.Secret)
	wantFault(t, err, fault.Unauthenticated, "invalid_client", "old secret after rotation")
	if _, _, err := f.svc.AuthenticateClient(t.Context(), issued.Client.ID, rotated.Secret); err != nil {
		t.Errorf("new secret after rotation: %v", err)
	}
	// The rotation moves the token epoch on, which ends the tokens issued before it.
	if rotated.Client.TokenEpoch != issued.Client.TokenEpoch+1 {
		t.Errorf("token epoch %d after rotation, was %d", rotated.Client.TokenEpoch, issued.Client.TokenEpoch)
	}
	stored, err := f.store.GetClient(t.Context(), issued.Client.ID)
	must(t, err, "get client")
	if stored.TokenEpoch != rotated.Client.TokenEpoch {
		t.Errorf("stored token epoch %d, rotation returned %d", stored.TokenEpoch, rotated.Client.TokenEpoch)
	}
}

func TestClientResources(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	app, res := f.shop(t, c)
	other, err := f.svc.CreateResource(t.Context(), c, ResourceInput{URI: ptr("urn:orders")})
	must(t, err, "create resource")
	second, err := f.svc.CreateClient(t.Context(), c, app.ID, ClientInput{Name: ptr("second")})
	must(t, err, "create client")

	cl, err := f.svc.SetClientResources(t.Context(), c, app.ID, second.Client.ID, []string{other.ID})
	must(t, err, "set client resources")
	if !slices.Equal(cl.ResourceIDs, []string{other.ID}) {
		t.Errorf("client resources: got %q", cl.ResourceIDs)
	}
	_, err = f.svc.SetClientResources(t.Context(), c, app.ID, second.Client.ID, []string{"nope-nope"})
	wantProblems(t, err, "unknown resource", "nope-nope")

	// As Mosaic's, the application-level assignment is the default client's: the oldest.
	view, err := f.svc.SetAppResources(t.Context(), c, app.ID, []string{res.ID, other.ID})
	must(t, err, "set app resources")
	if view.Default == nil || view.Default.ID != app.Default.ID || !slices.Equal(view.Default.ResourceIDs, []string{res.ID, other.ID}) {
		t.Fatalf("SetAppResources: default client %+v, want %s with both resources", view.Default, app.Default.ID)
	}
	stored, err := f.svc.ListClients(t.Context(), c, app.ID)
	must(t, err, "list clients")
	for _, cl := range stored {
		want := []string{res.ID, other.ID}
		if cl.ID == second.Client.ID {
			want = []string{other.ID}
		}
		if !slices.Equal(cl.ResourceIDs, want) {
			t.Errorf("client %s resources after SetAppResources: got %q, want %q", cl.Name, cl.ResourceIDs, want)
		}
	}
	_, err = f.svc.SetAppResources(t.Context(), c, app.ID, []string{"missing-one", "missing-two"})
	wantProblems(t, err, "unknown app resources", "missing-one", "missing-two")
}

func TestClientOfAnotherApplicationIsNotFound(t *testing.T) {
	f := newFixture(t)
	c, b := f.admin(t)
	app, _ := f.shop(t, c)
	// b.ClientID is a client of the Demo application, not of app.
	_, err := f.svc.Client(t.Context(), c, app.ID, b.ClientID)
	wantFault(t, err, fault.NotFound, fault.CodeClientNotFound, "get through another app")
	_, err = f.svc.UpdateClient(t.Context(), c, app.ID, b.ClientID, ClientInput{Name: ptr("x")})
	wantFault(t, err, fault.NotFound, fault.CodeClientNotFound, "update through another app")
	_, err = f.svc.RotateClientSecret(t.Context(), c, app.ID, b.ClientID)
	wantFault(t, err, fault.NotFound, fault.CodeClientNotFound, "rotate through another app")
	err = f.svc.DeleteClient(t.Context(), c, app.ID, b.ClientID)
	wantFault(t, err, fault.NotFound, fault.CodeClientNotFound, "delete through another app")
	if _, _, err := f.svc.AuthenticateClient(t.Context(), b.ClientID, b.ClientSecret); err != nil {
		t.Errorf("demo client after refused calls: %v", err)
	}
}

func TestDeleteClient(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	app, _ := f.shop(t, c)
	issued, err := f.svc.CreateClient(t.Context(), c, app.ID, ClientInput{Name: ptr("web")})
	must(t, err, "create client")
	must(t, f.svc.DeleteClient(t.Context(), c, app.ID, issued.Client.ID), "delete client")
	_, err = f.svc.Client(t.Context(), c, app.ID, issued.Client.ID)
	wantFault(t, err, fault.NotFound, fault.CodeClientNotFound, "get of a deleted client")
	_, _, err = f.svc.AuthenticateClient(t.Context(), issued.Client.ID, issued.Secret)
	wantFault(t, err, fault.Unauthenticated, "invalid_client", "deleted client")

	err = f.svc.DeleteClient(t.Context(), c, c.AppID, c.ClientID)
	wantFault(t, err, fault.Conflict, fault.CodeConflict, "delete of the caller's own client")
}
