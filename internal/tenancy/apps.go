package tenancy

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// ApplicationInput is a request to create or change an application. A nil field is absent:
// on create it takes its default, on update it stays as it is.
//
// The Client* fields and ResourceIDs set the application's default client, as Mosaic's
// (deprecated) application fields do: its name, description, type and resources. RedirectURIs
// are the application's, and the default client's too.
type ApplicationInput struct {
	Name                  *string
	Kind                  *string // model.AppKindStandard (the default) or model.AppKindManagement
	Description           *string
	RedirectURIs          *[]string
	AllowPublicSignup     *bool
	EnumerationProtection *bool
	Logo                  *string
	ServiceProviders      *[]string
	Authenticator         *model.AuthenticatorPreferences
	LoginURI              *string

	ClientDisplayName *string
	ClientDescription *string
	ClientType        *string
	ResourceIDs       *[]string

	// FirstClientRoleIDs are the client roles of a new application's first client (Mosaic's
	// first_client.role_ids); absent means the default ones. Create only: the first client's
	// roles change later through the client itself.
	FirstClientRoleIDs *[]string
}

// touchesDefaultClient reports whether in changes the default client.
func (in ApplicationInput) touchesDefaultClient() bool {
	return in.ClientDisplayName != nil || in.ClientDescription != nil || in.ClientType != nil ||
		in.ResourceIDs != nil || in.RedirectURIs != nil
}

// applyDefaultClient validates the default client's part of in and applies it to cl, with
// redirects, the application's redirect URIs as validated, when in sets them.
func applyDefaultClient(cl *model.Client, in ApplicationInput, redirects []string) []string {
	var p problems
	if in.ClientDisplayName != nil {
		cl.Name = p.text("client_display_name", *in.ClientDisplayName, maxNameLen, true)
	}
	if in.ClientDescription != nil {
		cl.Description = p.description("client_description", *in.ClientDescription)
	}
	if in.ClientType != nil {
		cl.ClientType = p.clientType("client_type", *in.ClientType)
	}
	if in.ResourceIDs != nil {
		cl.ResourceIDs = p.resourceIDs(*in.ResourceIDs)
	}
	if in.RedirectURIs != nil {
		cl.RedirectURIs = slices.Clone(redirects)
	}
	return p
}

// AppView is an application with its default client, the one Mosaic's application object
// describes in its client_* fields: the oldest of its clients. Default is nil when the
// application has no client left.
type AppView struct {
	model.Application
	Default *model.Client
}

// defaultClientName names the default client when the request names none.
const defaultClientName = "Default"

// CreatedByBootstrap is the CreatedBy of the applications a first run creates.
const CreatedByBootstrap = "bootstrap"

// CreateApplication creates an application in the caller's tenant together with its default
// client, whose secret is returned once in the IssuedClient.
func (s *Service) CreateApplication(ctx context.Context, c model.Caller, in ApplicationInput) (AppView, IssuedClient, error) {
	now := s.timestamp()
	app := model.Application{ID: model.NewID(), TenantID: c.TenantID, Kind: model.AppKindStandard, CreatedBy: c.ClientID,
		CreatedAt: now, UpdatedAt: now}
	p := applyApplication(&app, in, true)
	if app.Kind == model.AppKindManagement && !c.Admin {
		// A management application's client gets the admin token: only the admin token may
		// make one.
		return AppView{}, IssuedClient{}, errManagementAdminOnly
	}
	issued := s.newClient(app, defaultClientName, now)
	if in.FirstClientRoleIDs == nil {
		if err := clientroles.CheckGrant(c, issued.Client.RoleIDs); err != nil {
			return AppView{}, IssuedClient{}, err
		}
	}
	p = append(p, applyDefaultClient(&issued.Client, in, app.RedirectURIs)...)
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if in.FirstClientRoleIDs != nil {
			if err := firstClientRoles(ctx, tx, c, app, &issued.Client, *in.FirstClientRoleIDs, p); err != nil {
				return err
			}
		}
		missing, err := missingResources(ctx, tx, c.TenantID, issued.Client.ResourceIDs)
		if err != nil {
			return err
		}
		if all := append(slices.Clone(p), missing...); len(all) > 0 {
			return fault.Validation(all...)
		}
		if err := tx.CreateApplication(ctx, app); err != nil {
			return err
		}
		return tx.CreateClient(ctx, issued.Client)
	})
	if err != nil {
		return AppView{}, IssuedClient{}, storeErr(err, nil, "create application")
	}
	return AppView{Application: app, Default: &issued.Client}, issued, nil
}

// firstClientRoles gives a new application's first client the roles of first_client.role_ids,
// inside tx: unknown roles are a 400 (with the request's other problems, p) before any question
// of what the caller may give.
func firstClientRoles(ctx context.Context, tx storage.Store, c model.Caller, app model.Application, cl *model.Client, roleIDs []string, p []string) error {
	ids := dedupe(roleIDs)
	cat, err := roleCatalog(ctx, tx, c.TenantID, ids)
	if err != nil {
		return err
	}
	if rp := cat.CheckRoleIDs(ids, app.Kind == model.AppKindManagement); len(rp) > 0 {
		all := slices.Clone(p)
		for _, msg := range rp {
			all = append(all, "first_client."+msg)
		}
		return fault.Validation(all...)
	}
	cl.RoleIDs, cl.CustomPermissions = ids, cat.CustomPermissions(ids)
	return cat.CheckGrant(c, ids)
}

// defaultRoles are the roles a new client of app gets unless given others: the default role,
// or none for a management application's client (its token is the admin token).
func defaultRoles(app model.Application) []string {
	if app.Kind == model.AppKindManagement {
		return []string{}
	}
	return []string{clientroles.DefaultRole}
}

// newClient builds a client of app with a fresh secret, inheriting the app's redirect URIs.
func (s *Service) newClient(app model.Application, name string, now time.Time) IssuedClient {
	sec, hash := s.newSecret()
	return IssuedClient{Secret: sec, Client: model.Client{
		ID:                  model.NewID(),
		TenantID:            app.TenantID,
		AppID:               app.ID,
		Name:                name,
		ClientType:          model.ClientTypeWeb,
		SecretHash:          hash,
		RedirectURIs:        append([]string{}, app.RedirectURIs...),
		ResourceIDs:         []string{},
		RoleIDs:             defaultRoles(app),
		CustomPermissions:   []string{},
		DefaultCustomClaims: []string{},
		CreatedAt:           now,
		UpdatedAt:           now,
	}}
}

// Application returns one application of the caller's tenant with its default client. A
// client token reads only its own application.
func (s *Service) Application(ctx context.Context, c model.Caller, appID string) (AppView, error) {
	if err := inScope(c, appID); err != nil {
		return AppView{}, err
	}
	app, err := s.GetApplication(ctx, c.TenantID, appID)
	if err != nil {
		return AppView{}, err
	}
	return s.view(ctx, s.store, app)
}

// ListApplications returns the applications of the caller's tenant, oldest first, each with
// its default client.
func (s *Service) ListApplications(ctx context.Context, c model.Caller) ([]AppView, error) {
	apps, err := s.store.ListApplications(ctx, c.TenantID)
	if err != nil {
		return nil, fault.Wrap(err, "list applications")
	}
	sortApps(apps)
	out := make([]AppView, 0, len(apps))
	for _, app := range apps {
		v, err := s.view(ctx, s.store, app)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// view finds app's default client.
func (s *Service) view(ctx context.Context, st storage.Store, app model.Application) (AppView, error) {
	def, err := defaultClient(ctx, st, app.TenantID, app.ID)
	if err != nil {
		return AppView{}, err
	}
	return AppView{Application: app, Default: def}, nil
}

// defaultClient returns the oldest client of an application, or nil when it has none.
func defaultClient(ctx context.Context, st storage.Store, tenantID, appID string) (*model.Client, error) {
	clients, err := st.ListClients(ctx, tenantID, appID)
	if err != nil {
		return nil, fault.Wrap(err, "list clients")
	}
	if len(clients) == 0 {
		return nil, nil
	}
	sortClients(clients)
	return &clients[0], nil
}

// UpdateApplication changes the fields present in in, on the application and on its default
// client, in one transaction, and returns the application as stored. A client token changes
// only its own application, and not the default client's resources.
func (s *Service) UpdateApplication(ctx context.Context, c model.Caller, appID string, in ApplicationInput) (AppView, error) {
	if err := inScope(c, appID); err != nil {
		return AppView{}, err
	}
	var out AppView
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		def, err := defaultClient(ctx, tx, c.TenantID, appID)
		if err != nil {
			return err
		}
		touches := def != nil && in.touchesDefaultClient()
		// The default client's problems are found first, so that one answer lists them all.
		var clientProblems []string
		if touches {
			if err := checkResourceChange(c, def.ResourceIDs, in.ResourceIDs); err != nil {
				return err
			}
			probe := *def
			clientProblems = applyDefaultClient(&probe, in, nil)
			if in.ResourceIDs != nil {
				var p problems
				missing, err := missingResources(ctx, tx, c.TenantID, p.resourceIDs(*in.ResourceIDs))
				if err != nil {
					return err
				}
				clientProblems = append(clientProblems, missing...)
			}
		}
		var app model.Application
		err = tx.UpdateApplication(ctx, c.TenantID, appID, func(cur model.Application) (model.Application, error) {
			if p := append(applyApplication(&cur, in, false), clientProblems...); len(p) > 0 {
				return cur, fault.Validation(p...)
			}
			cur.UpdatedAt = s.timestamp()
			app = cur
			return cur, nil
		})
		if err != nil {
			return storeErr(err, errAppNotFound, "update application")
		}
		out = AppView{Application: app, Default: def}
		if !touches {
			return nil
		}
		cl, err := s.changeClient(ctx, tx, c, appID, def.ID, in.ResourceIDs, func(cl *model.Client) []string {
			return applyDefaultClient(cl, in, app.RedirectURIs)
		})
		out.Default = &cl
		return err
	})
	if err != nil {
		return AppView{}, storeErr(err, errAppNotFound, "update application")
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
	if !c.Admin {
		app, err := s.store.GetApplication(ctx, c.TenantID, appID)
		if err != nil {
			return storeErr(err, errAppNotFound, "get application")
		}
		if app.Kind == model.AppKindManagement {
			return errManagementAdminOnly
		}
	}
	return storeErr(s.store.DeleteApplication(ctx, c.TenantID, appID), errAppNotFound, "delete application")
}

// errManagementAdminOnly refuses a client token, whatever its roles, creating or deleting a
// management application: that would make or unmake an admin token.
var errManagementAdminOnly = fault.New(fault.Forbidden, clientroles.CodeInsufficientPermissions,
	"only a management application's token may create or delete a management application")

// applyApplication validates in and applies it to app, returning every problem found.
func applyApplication(app *model.Application, in ApplicationInput, create bool) []string {
	var p problems
	if in.Name != nil || create {
		app.Name = p.text("app_name", deref(in.Name), maxNameLen, true)
	}
	if in.Description != nil {
		app.Description = p.description("app_description", *in.Description)
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
	if in.Logo != nil {
		app.Logo = p.keptURI("logo", *in.Logo)
	}
	if in.ServiceProviders != nil {
		app.Profile.ServiceProviders = p.names("service_providers", *in.ServiceProviders)
	}
	if in.Authenticator != nil {
		app.Profile.Authenticator = model.AuthenticatorPreferences{
			IsCentralized: in.Authenticator.IsCentralized,
			LoginURI:      p.keptURI("authenticator_preferences.login_uri", in.Authenticator.LoginURI),
		}
	}
	if in.LoginURI != nil {
		app.Profile.LoginURI = p.keptURI("login_uri", *in.LoginURI)
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
