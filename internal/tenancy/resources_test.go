package tenancy

import (
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func TestResourceCRUD(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	r, err := f.svc.CreateResource(t.Context(), c, ResourceInput{
		URI: ptr("https://api.shop.example/orders"), Name: ptr("Orders"), Description: ptr("orders API"), AccessTokenTTL: ptr(300),
	})
	must(t, err, "create resource")
	got, err := f.svc.Resource(t.Context(), c, r.ID)
	must(t, err, "get resource")
	if got.URI != "https://api.shop.example/orders" || got.Name != "Orders" || got.AccessTokenTTL != 300 || got.TenantID != c.TenantID {
		t.Errorf("stored resource: got %+v", got)
	}

	_, err = f.svc.CreateResource(t.Context(), c, ResourceInput{URI: ptr("https://api.shop.example/orders")})
	wantFault(t, err, fault.Conflict, fault.CodeConflict, "duplicate uri")

	second, err := f.svc.CreateResource(t.Context(), c, ResourceInput{URI: ptr("urn:example:billing")})
	must(t, err, "create second resource")
	list, err := f.svc.ListResources(t.Context(), c)
	must(t, err, "list resources")
	if len(list) != 2 || list[0].ID != r.ID || list[1].ID != second.ID {
		t.Errorf("ListResources: got %d, want the two in creation order", len(list))
	}

	upd, err := f.svc.UpdateResource(t.Context(), c, r.ID, ResourceInput{Description: ptr("changed")})
	must(t, err, "update resource")
	if upd.Description != "changed" || upd.URI != r.URI || upd.Name != "Orders" {
		t.Errorf("after partial update: got %+v", upd)
	}
	_, err = f.svc.UpdateResource(t.Context(), c, second.ID, ResourceInput{URI: ptr(r.URI)})
	wantFault(t, err, fault.Conflict, fault.CodeConflict, "update to a taken uri")
	_, err = f.svc.UpdateResource(t.Context(), c, model.NewID(), ResourceInput{Name: ptr("x")})
	wantFault(t, err, fault.NotFound, fault.CodeResourceNotFound, "update of a missing resource")
}

func TestResourceValidation(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	_, err := f.svc.CreateResource(t.Context(), c, ResourceInput{AccessTokenTTL: ptr(86401)})
	wantProblems(t, err, "missing uri", "uri is required", "access_token_ttl must be between 60 and 86400")
	_, err = f.svc.CreateResource(t.Context(), c, ResourceInput{URI: ptr("/relative")})
	wantProblems(t, err, "relative uri", "uri must be an absolute URI")
	_, err = f.svc.CreateResource(t.Context(), c, ResourceInput{URI: ptr("https://api.example/#x"), Name: ptr("a\x00b")})
	wantProblems(t, err, "fragment", "uri must not have a fragment", "name must not contain control characters")
}

func TestDeleteResourceRemovesItFromClients(t *testing.T) {
	f := newFixture(t)
	c, b := f.admin(t)
	app, res := f.shop(t, c)
	keep, err := f.svc.CreateResource(t.Context(), c, ResourceInput{URI: ptr("urn:keep")})
	must(t, err, "create resource")
	_, err = f.svc.SetAppResources(t.Context(), c, app.ID, []string{res.ID, keep.ID})
	must(t, err, "set app resources")
	_, err = f.svc.SetClientResources(t.Context(), c, b.AppID, b.ClientID, []string{res.ID})
	must(t, err, "set demo client resources")

	must(t, f.svc.DeleteResource(t.Context(), c, res.ID), "delete resource")
	_, err = f.svc.Resource(t.Context(), c, res.ID)
	wantFault(t, err, fault.NotFound, fault.CodeResourceNotFound, "get of a deleted resource")
	shopClients, err := f.svc.ListClients(t.Context(), c, app.ID)
	must(t, err, "list clients")
	for _, cl := range shopClients {
		if !slices.Equal(cl.ResourceIDs, []string{keep.ID}) {
			t.Errorf("shop client resources after delete: got %q, want only %s", cl.ResourceIDs, keep.ID)
		}
	}
	demo, err := f.svc.Client(t.Context(), c, b.AppID, b.ClientID)
	must(t, err, "get demo client")
	if len(demo.ResourceIDs) != 0 {
		t.Errorf("demo client resources after delete: got %q", demo.ResourceIDs)
	}
	err = f.svc.DeleteResource(t.Context(), c, res.ID)
	wantFault(t, err, fault.NotFound, fault.CodeResourceNotFound, "second delete")
}

func TestResourceLifetimesAndLookupByURI(t *testing.T) {
	f := newFixture(t)
	c, _ := f.admin(t)
	r, err := f.svc.CreateResource(t.Context(), c, ResourceInput{URI: ptr("https://api.shop.example/v1"), Name: ptr("API"),
		AccessTokenTTL: ptr(600), RefreshTokenTTL: ptr(3600), MaxRefreshRotate: ptr(86400)})
	must(t, err, "create resource")
	if r.RefreshTokenTTL != 3600 || r.MaxRefreshRotate != 86400 || !r.UpdatedAt.Equal(r.CreatedAt) {
		t.Errorf("created resource: %+v", r)
	}
	got, err := f.svc.ResourceByURI(t.Context(), c, "https://api.shop.example/v1")
	must(t, err, "resource by URI")
	if got.ID != r.ID {
		t.Errorf("resource by URI: got %s, want %s", got.ID, r.ID)
	}
	_, err = f.svc.ResourceByURI(t.Context(), c, "https://api.shop.example/v2")
	wantFault(t, err, fault.NotFound, fault.CodeResourceNotFound, "unknown URI")
	_, err = f.svc.ResourceByURI(t.Context(), c, " ")
	wantFault(t, err, fault.Invalid, fault.CodeInvalidInput, "empty URI")

	up, err := f.svc.UpdateResource(t.Context(), c, r.ID, ResourceInput{MaxRefreshRotate: ptr(0)})
	must(t, err, "update resource")
	if up.MaxRefreshRotate != 0 || up.RefreshTokenTTL != 3600 || !up.UpdatedAt.After(r.UpdatedAt) {
		t.Errorf("updated resource: %+v", up)
	}
	_, err = f.svc.UpdateResource(t.Context(), c, r.ID, ResourceInput{RefreshTokenTTL: ptr(10), MaxRefreshRotate: ptr(-1)})
	wantProblems(t, err, "invalid lifetimes", "refresh_token_ttl must be between", "max_refresh_rotate must be between")
}
