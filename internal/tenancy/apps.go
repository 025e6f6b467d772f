package tenancy

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// ApplicationInput is a request to create or change an application. A nil field is absent:
// on create it takes its default, on update it stays as it is.
type ApplicationInput struct {
	Name                  *string
	Kind                  *string // model.AppKindStandard (the default) or model.AppKindManagement
	Description           *string
	RedirectURIs          *[]string
	AllowPublicSignup     *bool
	EnumerationProtection *bool
}

// defaultClientName names the client created with every application.
const defaultClientName = "Default"

// CreateApplication creates an application in the caller's tenant together with its default
// client, whose secret is returned once in the IssuedClient.
func (s *Service) CreateApplication(ctx context.Context, c model.Caller, in ApplicationInput) (model.Application, IssuedClient, error) {
	now := s.timestamp()
	app := model.Application{ID: model.NewID(), TenantID: c.TenantID, Kind: model.AppKindStandard, CreatedAt: now, UpdatedAt: now}
	if p := applyApplication(&app, in, true); len(p) > 0 {
		return model.Application{}, IssuedClient{}, fault.Validation(p...)
	}
	issued := s.newClient(app, defaultClientName, now)
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if err := tx.CreateApplication(ctx, app); err != nil {
			return err
		}
		return tx.CreateClient(ctx, issued.Client)
	})
	if err != nil {
		return model.Application{}, IssuedClient{}, storeErr(err, nil, "create application")
	}
	return app, issued, nil
}

// newClient builds a client of app with a fresh secret, inheriting the app's redirect URIs.
func (s *Service) newClient(app model.Application, name string, now time.Time) IssuedClient {
	sec, hash := s.newSecret()
	return IssuedClient{Secret: sec, Client: model.Client{
		ID:           model.NewID(),
		TenantID:     app.TenantID,
		AppID:        app.ID,
		Name:         name,
		SecretHash:   hash,
		RedirectURIs: append([]string{}, app.RedirectURIs...),
		ResourceIDs:  []string{},
		CreatedAt:    now,
		UpdatedAt:    now,
	}}
}

// Application returns one application of the caller's tenant.
func (s *Service) Application(ctx context.Context, c model.Caller, appID string) (model.Application, error) {
	return s.GetApplication(ctx, c.TenantID, appID)
}

// ListApplications returns the applications of the caller's tenant, oldest first.
func (s *Service) ListApplications(ctx context.Context, c model.Caller) ([]model.Application, error) {
	apps, err := s.store.ListApplications(ctx, c.TenantID)
	if err != nil {
		return nil, fault.Wrap(err, "list applications")
	}
	sortApps(apps)
	return apps, nil
}

// UpdateApplication changes the fields present in in and returns the application as stored.
func (s *Service) UpdateApplication(ctx context.Context, c model.Caller, appID string, in ApplicationInput) (model.Application, error) {
	var out model.Application
	err := s.store.UpdateApplication(ctx, c.TenantID, appID, func(cur model.Application) (model.Application, error) {
		if p := applyApplication(&cur, in, false); len(p) > 0 {
			return cur, fault.Validation(p...)
		}
		cur.UpdatedAt = s.timestamp()
		out = cur
		return cur, nil
	})
	if err != nil {
		return model.Application{}, storeErr(err, errAppNotFound, "update application")
	}
	return out, nil
}

// DeleteApplication deletes an application with its clients. The application whose token
// makes the call cannot delete itself, so that an administrator cannot lock themselves out
// by accident.
func (s *Service) DeleteApplication(ctx context.Context, c model.Caller, appID string) error {
	if appID == c.AppID {
		return fault.New(fault.Conflict, fault.CodeConflict, "an application cannot delete itself; use another management application's token")
	}
	return storeErr(s.store.DeleteApplication(ctx, c.TenantID, appID), errAppNotFound, "delete application")
}

// applyApplication validates in and applies it to app, returning every problem found.
func applyApplication(app *model.Application, in ApplicationInput, create bool) []string {
	var p problems
	if in.Name != nil || create {
		app.Name = p.text("app_name", deref(in.Name), maxNameLen, true)
	}
	if in.Description != nil {
		app.Description = p.description(*in.Description)
	}
	if in.Kind != nil {
		switch k := *in.Kind; {
		case k != model.AppKindStandard && k != model.AppKindManagement:
			p.addf("kind must be %q or %q", model.AppKindStandard, model.AppKindManagement)
		case !create && k != app.Kind:
			p.addf("kind cannot be changed after creation")
		default:
			app.Kind = k
		}
	}
	if in.RedirectURIs != nil {
		app.RedirectURIs = p.redirectURIs("redirect_uris", *in.RedirectURIs)
	} else if create {
		app.RedirectURIs = []string{}
	}
	if in.AllowPublicSignup != nil {
		app.AllowPublicSignup = *in.AllowPublicSignup
	}
	if in.EnumerationProtection != nil {
		app.EnumerationProtection = *in.EnumerationProtection
	}
	return p
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

// sortApps orders applications oldest first, ties broken by id, so lists are stable.
func sortApps(apps []model.Application) {
	slices.SortFunc(apps, func(a, b model.Application) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
