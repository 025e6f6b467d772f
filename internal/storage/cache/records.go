package cache

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Copies handed out are cloned so that a caller changing a slice cannot change what other
// requests read.

func cloneApp(a model.Application) model.Application {
	a.RedirectURIs = slices.Clone(a.RedirectURIs)
	a.Profile.ServiceProviders = slices.Clone(a.Profile.ServiceProviders)
	if a.Preferences.Unimplemented != nil {
		kept := make(map[string]json.RawMessage, len(a.Preferences.Unimplemented))
		for k, v := range a.Preferences.Unimplemented {
			kept[k] = slices.Clone(v)
		}
		a.Preferences.Unimplemented = kept
	}
	a.Preferences.Password.LockoutTiers = slices.Clone(a.Preferences.Password.LockoutTiers)
	w := &a.Preferences.WebAuthn
	w.RPWebOrigins = slices.Clone(w.RPWebOrigins)
	w.AAGUIDAllowList = slices.Clone(w.AAGUIDAllowList)
	w.AAGUIDBlockList = slices.Clone(w.AAGUIDBlockList)
	if w.AllowSyncedPasskeys != nil {
		v := *w.AllowSyncedPasskeys
		w.AllowSyncedPasskeys = &v
	}
	return a
}

func cloneClient(c model.Client) model.Client {
	c.SecretHash = slices.Clone(c.SecretHash)
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.ResourceIDs = slices.Clone(c.ResourceIDs)
	c.DefaultCustomClaims = slices.Clone(c.DefaultCustomClaims)
	c.RoleIDs = slices.Clone(c.RoleIDs)
	c.CustomPermissions = slices.Clone(c.CustomPermissions)
	return c
}

func cloneTenant(t model.Tenant) model.Tenant {
	t.WebhookSecret = slices.Clone(t.WebhookSecret)
	return t
}

// GetTenant serves the tenant from the copy when it is fresh.
func (s *Store) GetTenant(ctx context.Context, id string) (model.Tenant, error) {
	if s.bypass() || storage.IsFresh(ctx) {
		return s.Store.GetTenant(ctx, id)
	}
	m := func() map[string]entry[model.Tenant] { return s.r.tenants }
	v, ok, gen := lookup(s.r, m, id)
	if ok {
		return cloneTenant(v), nil
	}
	t, err := s.Store.GetTenant(ctx, id)
	if err == nil {
		keep(s.r, m, id, cloneTenant(t), gen)
	}
	return t, err
}

// GetApplication serves the application from the copy when it is fresh.
func (s *Store) GetApplication(ctx context.Context, tenantID, id string) (model.Application, error) {
	if s.bypass() || storage.IsFresh(ctx) {
		return s.Store.GetApplication(ctx, tenantID, id)
	}
	m := func() map[appKey]entry[model.Application] { return s.r.apps }
	k := appKey{tenantID, id}
	v, ok, gen := lookup(s.r, m, k)
	if ok {
		return cloneApp(v), nil
	}
	a, err := s.Store.GetApplication(ctx, tenantID, id)
	if err == nil {
		keep(s.r, m, k, cloneApp(a), gen)
	}
	return a, err
}

// GetClient serves the client from the copy when it is fresh; a read that must be current
// (storage.Fresh) checks the client's stamp in the database (see stamped.go).
func (s *Store) GetClient(ctx context.Context, id string) (model.Client, error) {
	if s.bypass() {
		return s.Store.GetClient(ctx, id)
	}
	if storage.IsFresh(ctx) {
		return s.currentClient(ctx, id)
	}
	m := func() map[string]entry[model.Client] { return s.r.clients }
	v, ok, gen := lookup(s.r, m, id)
	if ok {
		return cloneClient(v), nil
	}
	c, err := s.Store.GetClient(ctx, id)
	if err == nil {
		keep(s.r, m, id, cloneClient(c), gen)
	}
	return c, err
}
