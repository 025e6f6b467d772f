package tenancy

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// ResourceInput is a request to create or change a resource. A nil field is absent: on create
// it takes its default, on update it stays as it is.
type ResourceInput struct {
	URI         *string
	Name        *string
	Description *string
	// Lifetimes in seconds; zero means the client's or the default.
	AccessTokenTTL   *int
	RefreshTokenTTL  *int
	MaxRefreshRotate *int
}

// CreateResource creates a resource in the caller's tenant. Its URI must not be taken.
func (s *Service) CreateResource(ctx context.Context, c model.Caller, in ResourceInput) (model.Resource, error) {
	now := s.timestamp()
	r := model.Resource{ID: model.NewID(), TenantID: c.TenantID, CreatedAt: now, UpdatedAt: now}
	if p := applyResource(&r, in, true); len(p) > 0 {
		return model.Resource{}, fault.Validation(p...)
	}
	if err := s.store.CreateResource(ctx, r); err != nil {
		return model.Resource{}, resourceErr(err, "create resource")
	}
	return r, nil
}

// Resource returns one resource of the caller's tenant.
func (s *Service) Resource(ctx context.Context, c model.Caller, resourceID string) (model.Resource, error) {
	r, err := s.store.GetResource(ctx, c.TenantID, resourceID)
	if err != nil {
		return model.Resource{}, resourceErr(err, "get resource")
	}
	return r, nil
}

// ResourceByURI returns the resource of the caller's tenant that has this URI, compared
// exactly as token requests compare it.
func (s *Service) ResourceByURI(ctx context.Context, c model.Caller, uri string) (model.Resource, error) {
	if strings.TrimSpace(uri) == "" {
		return model.Resource{}, fault.Validation("resourceUri is required")
	}
	r, err := s.store.GetResourceByURI(ctx, c.TenantID, uri)
	if err != nil {
		return model.Resource{}, resourceErr(err, "get resource by uri")
	}
	return r, nil
}

// ListResources returns the resources of the caller's tenant, oldest first.
func (s *Service) ListResources(ctx context.Context, c model.Caller) ([]model.Resource, error) {
	list, err := s.store.ListResources(ctx, c.TenantID)
	if err != nil {
		return nil, fault.Wrap(err, "list resources")
	}
	slices.SortFunc(list, func(a, b model.Resource) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return list, nil
}

// UpdateResource changes the fields present in in and returns the resource as stored.
func (s *Service) UpdateResource(ctx context.Context, c model.Caller, resourceID string, in ResourceInput) (model.Resource, error) {
	var out model.Resource
	err := s.store.UpdateResource(ctx, c.TenantID, resourceID, func(cur model.Resource) (model.Resource, error) {
		if p := applyResource(&cur, in, false); len(p) > 0 {
			return cur, fault.Validation(p...)
		}
		cur.UpdatedAt = s.timestamp()
		out = cur
		return cur, nil
	})
	if err != nil {
		return model.Resource{}, resourceErr(err, "update resource")
	}
	return out, nil
}

// DeleteResource deletes a resource and takes it away from every client that had it, in one
// transaction, so that no client is left naming a resource that no longer exists.
func (s *Service) DeleteResource(ctx context.Context, c model.Caller, resourceID string) error {
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.GetResource(ctx, c.TenantID, resourceID); err != nil {
			return err
		}
		apps, err := tx.ListApplications(ctx, c.TenantID)
		if err != nil {
			return err
		}
		for _, app := range apps {
			clients, err := tx.ListClients(ctx, c.TenantID, app.ID)
			if err != nil {
				return err
			}
			for _, cl := range clients {
				if !slices.Contains(cl.ResourceIDs, resourceID) {
					continue
				}
				err := tx.UpdateClient(ctx, c.TenantID, cl.ID, func(cur model.Client) (model.Client, error) {
					cur.ResourceIDs = slices.DeleteFunc(slices.Clone(cur.ResourceIDs), func(id string) bool { return id == resourceID })
					cur.UpdatedAt = s.timestamp()
					return cur, nil
				})
				if err != nil {
					return err
				}
			}
		}
		return tx.DeleteResource(ctx, c.TenantID, resourceID)
	})
	return resourceErr(err, "delete resource")
}

// applyResource validates in and applies it to r, returning every problem found.
func applyResource(r *model.Resource, in ResourceInput, create bool) []string {
	var p problems
	if in.URI != nil || create {
		r.URI = p.resourceURI(deref(in.URI))
	}
	if in.Name != nil {
		r.Name = p.text("name", *in.Name, maxNameLen, false)
	}
	if in.Description != nil {
		r.Description = p.description("description", *in.Description)
	}
	if in.AccessTokenTTL != nil {
		r.AccessTokenTTL = *in.AccessTokenTTL
		p.ttl("access_token_ttl", r.AccessTokenTTL, minAccessTTL, maxAccessTTL)
	}
	if in.RefreshTokenTTL != nil {
		r.RefreshTokenTTL = *in.RefreshTokenTTL
		p.ttl("refresh_token_ttl", r.RefreshTokenTTL, minRefreshTTL, maxRefreshTTL)
	}
	if in.MaxRefreshRotate != nil {
		r.MaxRefreshRotate = *in.MaxRefreshRotate
		p.ttl("max_refresh_rotate", r.MaxRefreshRotate, minRefreshTTL, maxRefreshTTL)
	}
	return p
}

// resourceErr maps storage errors of resource methods; a taken URI is a conflict.
func resourceErr(err error, op string) error {
	if errors.Is(err, storage.ErrAlreadyExists) {
		return errResourceURITaken.With(err)
	}
	return storeErr(err, errResourceNotFound, op)
}
