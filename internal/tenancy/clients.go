package tenancy

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// ClientInput is a request to create or change a client. A nil field is absent: on create it
// takes its default, on update it stays as it is. Lifetimes are in seconds; zero means the
// default.
type ClientInput struct {
	Name                *string
	Description         *string
	ClientType          *string
	RedirectURIs        *[]string
	ResourceIDs         *[]string
	DefaultCustomClaims *[]string
	AccessTokenTTL      *int
	RefreshTokenTTL     *int
	MaxRefreshRotate    *int
	SessionExpiration   *int
	// RoleIDs are the client roles (Mosaic's role_ids), replacing the client's whole list. On
	// create, absent means the default role (none for a management application's client).
	RoleIDs *[]string
	// Protocol is Mosaic's authentication_protocol: Latchkey's clients are OpenID Connect
	// clients, so only "oidc" is accepted; a SAML client is refused rather than made as an
	// OIDC one.
	Protocol *string
}

// CreateClient creates a client of an application of the caller's tenant. Its secret is
// returned once in the IssuedClient. A client token creates clients of its own application
// only, and without resources.
func (s *Service) CreateClient(ctx context.Context, c model.Caller, appID string, in ClientInput) (IssuedClient, error) {
	if err := inScope(c, appID); err != nil {
		return IssuedClient{}, err
	}
	if err := checkResourceChange(c, nil, in.ResourceIDs); err != nil {
		return IssuedClient{}, err
	}
	var issued IssuedClient
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		app, err := tx.GetApplication(ctx, c.TenantID, appID)
		if err != nil {
			return storeErr(err, errAppNotFound, "get application")
		}
		now := s.timestamp()
		issued = s.newClient(app, "", now)
		issued.Client.RedirectURIs = []string{}
		var named []string
		if in.RoleIDs != nil {
			named = *in.RoleIDs
		}
		cat, err := roleCatalog(ctx, tx, c.TenantID, named)
		if err != nil {
			return err
		}
		p := applyClient(&issued.Client, in, true, cat)
		if app.Kind == model.AppKindManagement && len(issued.Client.RoleIDs) > 0 {
			p = append(p, clientroles.ManagementRolesProblem)
		}
		if len(p) == 0 {
			if err := cat.CheckGrant(c, issued.Client.RoleIDs); err != nil {
				return err
			}
		}
		missing, err := missingResources(ctx, tx, c.TenantID, issued.Client.ResourceIDs)
		if err != nil {
			return err
		}
		if p = append(p, missing...); len(p) > 0 {
			return fault.Validation(p...)
		}
		return tx.CreateClient(ctx, issued.Client)
	})
	if err != nil {
		return IssuedClient{}, storeErr(err, nil, "create client")
	}
	return issued, nil
}

// Client returns one client of an application of the caller's tenant.
func (s *Service) Client(ctx context.Context, c model.Caller, appID, clientID string) (model.Client, error) {
	if err := inScope(c, appID); err != nil {
		return model.Client{}, err
	}
	return clientOf(ctx, s.store, c, appID, clientID)
}

// ListClients returns the clients of an application of the caller's tenant, oldest first.
func (s *Service) ListClients(ctx context.Context, c model.Caller, appID string) ([]model.Client, error) {
	if err := inScope(c, appID); err != nil {
		return nil, err
	}
	if _, err := s.store.GetApplication(ctx, c.TenantID, appID); err != nil {
		return nil, storeErr(err, errAppNotFound, "get application")
	}
	clients, err := s.store.ListClients(ctx, c.TenantID, appID)
	if err != nil {
		return nil, fault.Wrap(err, "list clients")
	}
	sortClients(clients)
	return clients, nil
}

// UpdateClient changes the fields present in in and returns the client as stored. A client
// token changes clients of its own application only, and not their resources.
func (s *Service) UpdateClient(ctx context.Context, c model.Caller, appID, clientID string, in ClientInput) (model.Client, error) {
	if err := inScope(c, appID); err != nil {
		return model.Client{}, err
	}
	var out model.Client
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		var cat clientroles.Catalog
		if in.RoleIDs != nil {
			var err error
			if cat, err = checkRoleChange(ctx, tx, c, appID, *in.RoleIDs); err != nil {
				return err
			}
		}
		var err error
		out, err = s.changeClient(ctx, tx, c, appID, clientID, in.ResourceIDs, func(cl *model.Client) []string {
			return applyClient(cl, in, false, cat)
		})
		return err
	})
	if err != nil {
		return model.Client{}, storeErr(err, errClientNotFound, "update client")
	}
	return out, nil
}

// SetClientResources replaces the resources a client may request tokens for.
func (s *Service) SetClientResources(ctx context.Context, c model.Caller, appID, clientID string, resourceIDs []string) (model.Client, error) {
	return s.UpdateClient(ctx, c, appID, clientID, ClientInput{ResourceIDs: &resourceIDs})
}

// DeleteAppClients deletes every client of an application, in one transaction. The client
// whose token makes the call cannot be among them, as it cannot delete itself.
func (s *Service) DeleteAppClients(ctx context.Context, c model.Caller, appID string) error {
	if err := inScope(c, appID); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.GetApplication(ctx, c.TenantID, appID); err != nil {
			return storeErr(err, errAppNotFound, "get application")
		}
		clients, err := tx.ListClients(ctx, c.TenantID, appID)
		if err != nil {
			return err
		}
		for _, cl := range clients {
			if cl.ID == c.ClientID {
				return errDeleteSelf
			}
			if err := clientroles.CheckTakeover(c, cl); err != nil {
				return err
			}
		}
		for _, cl := range clients {
			if err := tx.DeleteClient(ctx, c.TenantID, cl.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return storeErr(err, errClientNotFound, "delete clients")
}

// checkRoleChange checks a new role list for a client of appID inside tx, before it is applied:
// the roles exist in the tenant's catalog, the application is not a management one, and the
// caller may give them. It returns the catalog, whose tenant roles named stay locked until tx
// ends.
func checkRoleChange(ctx context.Context, tx storage.Store, c model.Caller, appID string, roleIDs []string) (clientroles.Catalog, error) {
	app, err := tx.GetApplication(ctx, c.TenantID, appID)
	if err != nil {
		return clientroles.Catalog{}, storeErr(err, errAppNotFound, "get application")
	}
	cat, err := roleCatalog(ctx, tx, c.TenantID, roleIDs)
	if err != nil {
		return clientroles.Catalog{}, err
	}
	if p := cat.CheckRoleIDs(roleIDs, app.Kind == model.AppKindManagement); len(p) > 0 {
		return clientroles.Catalog{}, fault.Validation(p...)
	}
	return cat, cat.CheckGrant(c, roleIDs)
}

var errDeleteSelf = fault.New(fault.Conflict, fault.CodeConflict, "a client cannot delete itself; use another client's token")

// RotateClientSecret gives a client a new secret, returned once. The old secret stops working
// at once, and so does every access token issued to the client before (client tokens and its
// users' access tokens): the rotation moves the client's token epoch on, in the same write.
// A secret is rotated because it may have leaked, and whoever held it could mint tokens.
func (s *Service) RotateClientSecret(ctx context.Context, c model.Caller, appID, clientID string) (IssuedClient, error) {
	if err := inScope(c, appID); err != nil {
		return IssuedClient{}, err
	}
	sec, hash := s.newSecret()
	cl, err := s.updateClient(ctx, c, appID, clientID, nil, func(cl *model.Client) []string {
		rekey(cl, hash)
		return nil
	})
	if err != nil {
		return IssuedClient{}, err
	}
	return IssuedClient{Client: cl, Secret: sec}, nil
}

// rekey gives an existing client a new secret hash. Every change of a client's secret goes
// through it, so none can leave the tokens minted with the old secret working: the token
// epoch moves on with the secret.
func rekey(cl *model.Client, hash []byte) {
	cl.SecretHash = hash
	cl.TokenEpoch++
}

// DeleteClient deletes a client. The client whose token makes the call cannot delete itself.
func (s *Service) DeleteClient(ctx context.Context, c model.Caller, appID, clientID string) error {
	if err := inScope(c, appID); err != nil {
		return err
	}
	if clientID == c.ClientID {
		return errDeleteSelf
	}
	target, err := clientOf(ctx, s.store, c, appID, clientID)
	if err != nil {
		return err
	}
	if err := clientroles.CheckTakeover(c, target); err != nil {
		return err
	}
	return storeErr(s.store.DeleteClient(ctx, c.TenantID, clientID), errClientNotFound, "delete client")
}

// SetAppResources replaces the resources of an application's default client, as Mosaic's
// application-level resource assignment does, and returns the application as stored.
func (s *Service) SetAppResources(ctx context.Context, c model.Caller, appID string, resourceIDs []string) (AppView, error) {
	return s.UpdateApplication(ctx, c, appID, ApplicationInput{ResourceIDs: &resourceIDs})
}

// updateClient applies change to a client of appID in the caller's tenant, in a transaction
// of its own (see changeClient).
func (s *Service) updateClient(ctx context.Context, c model.Caller, appID, clientID string, resourceIDs *[]string, change func(*model.Client) []string) (model.Client, error) {
	if err := inScope(c, appID); err != nil {
		return model.Client{}, err
	}
	var out model.Client
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		var err error
		out, err = s.changeClient(ctx, tx, c, appID, clientID, resourceIDs, change)
		return err
	})
	if err != nil {
		return model.Client{}, storeErr(err, errClientNotFound, "update client")
	}
	return out, nil
}

// changeClient applies change to a client of appID in the caller's tenant, inside tx, after
// checking that the resources named by resourceIDs (when not nil) exist and that the caller
// may give them.
func (s *Service) changeClient(ctx context.Context, tx storage.Store, c model.Caller, appID, clientID string, resourceIDs *[]string, change func(*model.Client) []string) (model.Client, error) {
	var missing []string
	if resourceIDs != nil {
		var p problems
		var err error
		if missing, err = missingResources(ctx, tx, c.TenantID, p.resourceIDs(*resourceIDs)); err != nil {
			return model.Client{}, err
		}
	}
	var out model.Client
	err := tx.UpdateClient(ctx, c.TenantID, clientID, func(cur model.Client) (model.Client, error) {
		if cur.TenantID != c.TenantID || cur.AppID != appID {
			return cur, errClientNotFound
		}
		if err := clientroles.CheckTakeover(c, cur); err != nil {
			return cur, err
		}
		if err := checkResourceChange(c, cur.ResourceIDs, resourceIDs); err != nil {
			return cur, err
		}
		if p := append(change(&cur), missing...); len(p) > 0 {
			return cur, fault.Validation(p...)
		}
		cur.UpdatedAt = s.timestamp()
		out = cur
		return cur, nil
	})
	return out, storeErr(err, errClientNotFound, "update client")
}

// applyClient validates in and applies it to cl, returning every problem found. It does not
// check that resources exist; missingResources does, inside the transaction.
func applyClient(cl *model.Client, in ClientInput, create bool, cat clientroles.Catalog) []string {
	var p problems
	if in.Name != nil || create {
		cl.Name = p.text("name", deref(in.Name), maxNameLen, true)
	}
	if in.Description != nil {
		cl.Description = p.description("description", *in.Description)
	}
	if in.ClientType != nil {
		cl.ClientType = p.clientType("client_type", *in.ClientType)
	}
	if in.RedirectURIs != nil {
		cl.RedirectURIs = p.redirectURIs("redirect_uris", *in.RedirectURIs)
	}
	if in.ResourceIDs != nil {
		cl.ResourceIDs = p.resourceIDs(*in.ResourceIDs)
	}
	if in.DefaultCustomClaims != nil {
		cl.DefaultCustomClaims = p.claims("default_custom_claims", *in.DefaultCustomClaims)
	} else if create {
		cl.DefaultCustomClaims = []string{}
	}
	if in.AccessTokenTTL != nil {
		cl.AccessTokenTTL = *in.AccessTokenTTL
		p.ttl("token_expiration.access_token_ttl", cl.AccessTokenTTL, minAccessTTL, maxAccessTTL)
	}
	if in.RefreshTokenTTL != nil {
		cl.RefreshTokenTTL = *in.RefreshTokenTTL
		p.ttl("token_expiration.refresh_token_ttl", cl.RefreshTokenTTL, minRefreshTTL, maxRefreshTTL)
	}
	if in.RoleIDs != nil {
		cl.RoleIDs = dedupe(*in.RoleIDs)
		p = append(p, cat.CheckRoleIDs(cl.RoleIDs, false)...)
		cl.CustomPermissions = cat.CustomPermissions(cl.RoleIDs)
	}
	if in.Protocol != nil && *in.Protocol != "oidc" {
		p.addf("authentication_protocol must be %q: Latchkey has no SAML clients", "oidc")
	}
	if in.MaxRefreshRotate != nil {
		cl.MaxRefreshRotate = *in.MaxRefreshRotate
		p.ttl("token_expiration.max_refresh_rotate", cl.MaxRefreshRotate, minRefreshTTL, maxRefreshTTL)
	}
	if in.SessionExpiration != nil {
		cl.SessionExpiration = *in.SessionExpiration
		p.ttl("session_expiration", cl.SessionExpiration, minSessionTTL, maxSessionTTL)
	}
	return p
}

// resourceIDs checks the shape and number of resource ids and drops duplicates.
func (p *problems) resourceIDs(ids []string) []string {
	ids = dedupe(ids)
	if len(ids) > maxResources {
		p.addf("resources must hold at most %d ids", maxResources)
		return nil
	}
	return ids
}

// missingResources lists, as problems, the ids that name no resource of the tenant.
func missingResources(ctx context.Context, st storage.Store, tenantID string, ids []string) ([]string, error) {
	var p problems
	for _, id := range ids {
		_, err := st.GetResource(ctx, tenantID, id)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			p.addf("resources: %q is not a resource of this tenant", id)
		case err != nil:
			return nil, fmt.Errorf("get resource: %w", err)
		}
	}
	return p, nil
}

// sortClients orders clients oldest first. Clients created at the same time keep the store's
// order, which is their creation order (storage.Clients.ListClients): the first client is the
// application's default one, which must not depend on ids.
func sortClients(clients []model.Client) {
	slices.SortStableFunc(clients, func(a, b model.Client) int { return a.CreatedAt.Compare(b.CreatedAt) })
}
