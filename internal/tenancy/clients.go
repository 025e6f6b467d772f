package tenancy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

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
	RedirectURIs        *[]string
	ResourceIDs         *[]string
	DefaultCustomClaims *[]string
	AccessTokenTTL      *int
	RefreshTokenTTL     *int
	SessionExpiration   *int
}

// CreateClient creates a client of an application of the caller's tenant. Its secret is
// returned once in the IssuedClient.
func (s *Service) CreateClient(ctx context.Context, c model.Caller, appID string, in ClientInput) (IssuedClient, error) {
	var issued IssuedClient
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		app, err := tx.GetApplication(ctx, c.TenantID, appID)
		if err != nil {
			return storeErr(err, errAppNotFound, "get application")
		}
		now := s.timestamp()
		issued = s.newClient(app, "", now)
		issued.Client.RedirectURIs = []string{}
		p := applyClient(&issued.Client, in, true)
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
	return clientOf(ctx, s.store, c, appID, clientID)
}

// ListClients returns the clients of an application of the caller's tenant, oldest first.
func (s *Service) ListClients(ctx context.Context, c model.Caller, appID string) ([]model.Client, error) {
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

// UpdateClient changes the fields present in in and returns the client as stored.
func (s *Service) UpdateClient(ctx context.Context, c model.Caller, appID, clientID string, in ClientInput) (model.Client, error) {
	return s.updateClient(ctx, c, appID, clientID, in.ResourceIDs, func(cl *model.Client) []string {
		return applyClient(cl, in, false)
	})
}

// SetClientResources replaces the resources a client may request tokens for.
func (s *Service) SetClientResources(ctx context.Context, c model.Caller, appID, clientID string, resourceIDs []string) (model.Client, error) {
	return s.UpdateClient(ctx, c, appID, clientID, ClientInput{ResourceIDs: &resourceIDs})
}

// RotateClientSecret gives a client a new secret, returned once. The old secret stops working
// at once, and so does every access token issued to the client before (client tokens and its
// users' access tokens): the rotation moves the client's token epoch on, in the same write.
// A secret is rotated because it may have leaked, and whoever held it could mint tokens.
func (s *Service) RotateClientSecret(ctx context.Context, c model.Caller, appID, clientID string) (IssuedClient, error) {
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
	if clientID == c.ClientID {
		return fault.New(fault.Conflict, fault.CodeConflict, "a client cannot delete itself; use another client's token")
	}
	if _, err := clientOf(ctx, s.store, c, appID, clientID); err != nil {
		return err
	}
	return storeErr(s.store.DeleteClient(ctx, c.TenantID, clientID), errClientNotFound, "delete client")
}

// SetAppResources gives every client of an application the same resources, and returns the
// clients as stored.
func (s *Service) SetAppResources(ctx context.Context, c model.Caller, appID string, resourceIDs []string) ([]model.Client, error) {
	var p problems
	ids := p.resourceIDs(resourceIDs)
	var out []model.Client
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		out = nil
		if _, err := tx.GetApplication(ctx, c.TenantID, appID); err != nil {
			return storeErr(err, errAppNotFound, "get application")
		}
		missing, err := missingResources(ctx, tx, c.TenantID, ids)
		if err != nil {
			return err
		}
		if all := append(slices.Clone(p), missing...); len(all) > 0 {
			return fault.Validation(all...)
		}
		clients, err := tx.ListClients(ctx, c.TenantID, appID)
		if err != nil {
			return err
		}
		sortClients(clients)
		now := s.timestamp()
		for _, cl := range clients {
			err := tx.UpdateClient(ctx, c.TenantID, cl.ID, func(cur model.Client) (model.Client, error) {
				cur.ResourceIDs = append([]string{}, ids...)
				cur.UpdatedAt = now
				return cur, nil
			})
			if err != nil {
				return err
			}
			cl.ResourceIDs, cl.UpdatedAt = append([]string{}, ids...), now
			out = append(out, cl)
		}
		return nil
	})
	if err != nil {
		return nil, storeErr(err, nil, "set application resources")
	}
	return out, nil
}

// updateClient applies change to a client of appID in the caller's tenant, in a transaction
// that first checks that the resources named by resourceIDs (when not nil) exist.
func (s *Service) updateClient(ctx context.Context, c model.Caller, appID, clientID string, resourceIDs *[]string, change func(*model.Client) []string) (model.Client, error) {
	var out model.Client
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		var missing []string
		if resourceIDs != nil {
			var p problems
			var err error
			if missing, err = missingResources(ctx, tx, c.TenantID, p.resourceIDs(*resourceIDs)); err != nil {
				return err
			}
		}
		return tx.UpdateClient(ctx, c.TenantID, clientID, func(cur model.Client) (model.Client, error) {
			if cur.TenantID != c.TenantID || cur.AppID != appID {
				return cur, errClientNotFound
			}
			if p := append(change(&cur), missing...); len(p) > 0 {
				return cur, fault.Validation(p...)
			}
			cur.UpdatedAt = s.timestamp()
			out = cur
			return cur, nil
		})
	})
	if err != nil {
		return model.Client{}, storeErr(err, errClientNotFound, "update client")
	}
	return out, nil
}

// applyClient validates in and applies it to cl, returning every problem found. It does not
// check that resources exist; missingResources does, inside the transaction.
func applyClient(cl *model.Client, in ClientInput, create bool) []string {
	var p problems
	if in.Name != nil || create {
		cl.Name = p.text("name", deref(in.Name), maxNameLen, true)
	}
	if in.Description != nil {
		cl.Description = p.description(*in.Description)
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

// sortClients orders clients oldest first, ties broken by id.
func sortClients(clients []model.Client) {
	slices.SortFunc(clients, func(a, b model.Client) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
