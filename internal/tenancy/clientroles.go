package tenancy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var (
	errClientRoleNotFound = fault.New(fault.NotFound, "client_role_not_found", "client role not found")
	errBuiltInRole        = fault.New(fault.Conflict, fault.CodeConflict, "built-in client roles cannot be changed or deleted; define a role of your own")
	errClientRoleTaken    = fault.New(fault.Conflict, fault.CodeConflict, "a client role with this name already exists in the tenant")
)

// ClientRoleInput is a tenant's client role as a request gives it. On create name and
// permissions are required; on update absent fields stay as they are.
type ClientRoleInput struct {
	Name        *string
	Description *string
	Permissions *[]string
}

// ClientRoleView is a client role as the API shows it: a built-in one (no dates) or one of the
// tenant's own.
type ClientRoleView struct {
	ID          string
	Name        string
	Description string
	Permissions []string
	BuiltIn     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func builtInView(r clientroles.Role) ClientRoleView {
	return ClientRoleView{ID: r.ID, Name: r.Name, Description: r.Description, Permissions: r.Permissions, BuiltIn: true}
}

func customView(r model.ClientRole) ClientRoleView {
	return ClientRoleView{ID: r.ID, Name: r.Name, Description: r.Description, Permissions: r.Permissions,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// roleCatalog reads the tenant's client roles inside tx. Each of its own roles among roleIDs is
// locked first (an update that changes nothing), so that a concurrent change or deletion of
// the role waits for tx and then rewrites the clients tx wrote: a client can never keep the
// permissions of a role deleted under it. Ids that name no role are left to CheckRoleIDs.
func roleCatalog(ctx context.Context, tx storage.Store, tenantID string, roleIDs []string) (clientroles.Catalog, error) {
	for _, id := range roleIDs {
		if clientroles.IsBuiltIn(id) {
			continue
		}
		err := tx.UpdateClientRole(ctx, tenantID, id, func(r model.ClientRole) (model.ClientRole, error) { return r, nil })
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return clientroles.Catalog{}, err
		}
	}
	list, err := tx.ListClientRoles(ctx, tenantID)
	if err != nil {
		return clientroles.Catalog{}, err
	}
	return clientroles.NewCatalog(list), nil
}

// ClientRoles lists the client roles of the caller's tenant: the built-in ones, by id, then
// the tenant's own, oldest first.
func (s *Service) ClientRoles(ctx context.Context, c model.Caller) ([]ClientRoleView, error) {
	out := []ClientRoleView{}
	for _, r := range clientroles.Roles() {
		out = append(out, builtInView(r))
	}
	list, err := s.store.ListClientRoles(ctx, c.TenantID)
	if err != nil {
		return nil, fault.Wrap(err, "list client roles")
	}
	for _, r := range list {
		out = append(out, customView(r))
	}
	return out, nil
}

// ClientRole returns one client role of the caller's tenant, built-in or its own.
func (s *Service) ClientRole(ctx context.Context, c model.Caller, id string) (ClientRoleView, error) {
	if r, ok := clientroles.Lookup(id); ok {
		return builtInView(r), nil
	}
	r, err := s.store.GetClientRole(ctx, c.TenantID, id)
	if err != nil {
		return ClientRoleView{}, storeErr(err, errClientRoleNotFound, "get client role")
	}
	return customView(r), nil
}

// CreateClientRole defines a client role of the caller's tenant. A client token defines roles
// with permissions it holds itself only.
func (s *Service) CreateClientRole(ctx context.Context, c model.Caller, in ClientRoleInput) (ClientRoleView, error) {
	now := s.timestamp()
	r := model.ClientRole{ID: model.NewID(), TenantID: c.TenantID, CreatedAt: now, UpdatedAt: now}
	if p := applyClientRole(&r, in, true); len(p) > 0 {
		return ClientRoleView{}, fault.Validation(p...)
	}
	if err := clientroles.CheckPermissions(c, r.Permissions); err != nil {
		return ClientRoleView{}, err
	}
	if err := s.store.CreateClientRole(ctx, r); err != nil {
		return ClientRoleView{}, clientRoleErr(err, "create client role")
	}
	return customView(r), nil
}

// UpdateClientRole changes one of the tenant's own client roles, and in the same transaction
// the permissions of every client holding it. A client token changes only roles whose
// permissions, before and after, it holds itself.
func (s *Service) UpdateClientRole(ctx context.Context, c model.Caller, id string, in ClientRoleInput) (ClientRoleView, error) {
	if clientroles.IsBuiltIn(id) {
		return ClientRoleView{}, errBuiltInRole
	}
	var out model.ClientRole
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		err := tx.UpdateClientRole(ctx, c.TenantID, id, func(cur model.ClientRole) (model.ClientRole, error) {
			if err := clientroles.CheckPermissions(c, cur.Permissions); err != nil {
				return cur, err
			}
			if p := applyClientRole(&cur, in, false); len(p) > 0 {
				return cur, fault.Validation(p...)
			}
			if err := clientroles.CheckPermissions(c, cur.Permissions); err != nil {
				return cur, err
			}
			cur.UpdatedAt = s.timestamp()
			out = cur
			return cur, nil
		})
		if err != nil {
			return err
		}
		return s.resyncHolders(ctx, tx, c.TenantID, id, false)
	})
	if err != nil {
		return ClientRoleView{}, clientRoleErr(err, "update client role")
	}
	return customView(out), nil
}

// DeleteClientRole deletes one of the tenant's own client roles; the clients holding it lose it
// in the same transaction.
func (s *Service) DeleteClientRole(ctx context.Context, c model.Caller, id string) error {
	if clientroles.IsBuiltIn(id) {
		return errBuiltInRole
	}
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		r, err := tx.GetClientRole(ctx, c.TenantID, id)
		if err != nil {
			return err
		}
		if err := clientroles.CheckPermissions(c, r.Permissions); err != nil {
			return err
		}
		if err := tx.DeleteClientRole(ctx, c.TenantID, id); err != nil {
			return err
		}
		return s.resyncHolders(ctx, tx, c.TenantID, id, true)
	})
	return clientRoleErr(err, "delete client role")
}

// resyncHolders rewrites, inside tx, the CustomPermissions of every client of the tenant that
// holds role id (dropping the id from its roles when the role is gone).
func (s *Service) resyncHolders(ctx context.Context, tx storage.Store, tenantID, id string, gone bool) error {
	list, err := tx.ListClientRoles(ctx, tenantID)
	if err != nil {
		return err
	}
	cat := clientroles.NewCatalog(list)
	clients, err := tx.ListClients(ctx, tenantID, "")
	if err != nil {
		return err
	}
	now := s.timestamp()
	for _, cl := range clients {
		if !slices.Contains(cl.RoleIDs, id) {
			continue
		}
		err := tx.UpdateClient(ctx, tenantID, cl.ID, func(cur model.Client) (model.Client, error) {
			if gone {
				cur.RoleIDs = slices.DeleteFunc(slices.Clone(cur.RoleIDs), func(r string) bool { return r == id })
			}
			cur.CustomPermissions = cat.CustomPermissions(cur.RoleIDs)
			cur.UpdatedAt = now
			return cur, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// maxClientRoleNameLen bounds a client role's name.
const maxClientRoleNameLen = 100

// applyClientRole validates in and applies it to r, returning every problem found.
func applyClientRole(r *model.ClientRole, in ClientRoleInput, create bool) []string {
	var p problems
	if in.Name != nil || create {
		r.Name = p.text("name", deref(in.Name), maxClientRoleNameLen, true)
	}
	if in.Description != nil {
		r.Description = p.description("description", *in.Description)
	}
	switch {
	case in.Permissions != nil:
		var bad []string
		perms := dedupe(*in.Permissions)
		for _, perm := range perms {
			if !clientroles.IsPermission(perm) {
				bad = append(bad, perm)
			}
		}
		if len(bad) > 0 {
			p.addf("permissions: %s are not permissions a client role can grant (known: %s)",
				strings.Join(clipAll(bad), ", "), strings.Join(clientroles.Permissions(), ", "))
		}
		slices.Sort(perms)
		r.Permissions = perms
	case create:
		p.addf("permissions is required: the permissions the role grants")
	}
	return p
}

func clipAll(list []string) []string {
	if len(list) > 5 {
		list = list[:5]
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		if r := []rune(v); len(r) > 64 {
			v = string(r[:64]) + "…"
		}
		out = append(out, `"`+v+`"`)
	}
	return out
}

// clientRoleErr maps storage errors of client role methods; a taken name is a conflict.
func clientRoleErr(err error, op string) error {
	if errors.Is(err, storage.ErrAlreadyExists) {
		return errClientRoleTaken.With(err)
	}
	return storeErr(err, errClientRoleNotFound, op)
}
