package orgs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Limits of an organization's fields.
const (
	MaxNameLen   = 256
	MaxDomains   = 50
	MaxDomainLen = 253
	MaxApps      = 100
)

var (
	errOrgNotFound  = fault.New(fault.NotFound, "organization_not_found", "organization not found")
	errNameTaken    = fault.New(fault.Conflict, "organization_already_exists", "an organization with this name already exists")
	errAppNotFound  = fault.New(fault.NotFound, "application_not_found", "application not found")
	errUserNotFound = fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
)

// Service runs the Organizations and Members APIs' operations.
type Service struct {
	store storage.Store
	now   func() time.Time
}

// New returns a Service over store; now gives the time records are stamped with.
func New(store storage.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Input is a create or update request. A nil field is absent: left as it is on update, the
// default on create (where Name is required). Domain is Mosaic's deprecated single domain,
// added to Domains.
type Input struct {
	Name      *string
	AliasName *string
	Domain    *string
	Domains   *[]string
	AppIDs    *[]string // create only; updates go through AddApps and RemoveApps
	Enabled   *bool
}

// Create stores a new organization of the caller's tenant. Every application it names must
// be one of the tenant's.
func (s *Service) Create(ctx context.Context, c model.Caller, in Input) (model.Organization, error) {
	now := s.timestamp()
	o := model.Organization{ID: model.NewID(), TenantID: c.TenantID, Enabled: true, Domains: []string{}, AppIDs: []string{},
		CreatedAt: now, UpdatedAt: now}
	p := apply(&o, in, true)
	if in.AppIDs != nil {
		ids, q := cleanAppIDs(*in.AppIDs)
		p = append(p, q...)
		o.AppIDs = ids
	}
	if len(p) > 0 {
		return model.Organization{}, fault.Validation(p...)
	}
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if err := requireApps(ctx, tx, c.TenantID, o.AppIDs); err != nil {
			return err
		}
		return tx.CreateOrganization(ctx, o)
	})
	if err != nil {
		return model.Organization{}, orgErr(err, "create organization")
	}
	return o, nil
}

// Get returns one organization of the caller's tenant.
func (s *Service) Get(ctx context.Context, c model.Caller, id string) (model.Organization, error) {
	o, err := s.store.GetOrganization(ctx, c.TenantID, id)
	return o, orgErr(err, "get organization")
}

// GetByName returns the caller's tenant's organization of that name.
func (s *Service) GetByName(ctx context.Context, c model.Caller, name string) (model.Organization, error) {
	o, err := s.store.GetOrganizationByName(ctx, c.TenantID, name)
	return o, orgErr(err, "get organization by name")
}

// List returns the organizations of the caller's tenant, oldest first; a non-empty name keeps
// only the one of that name, as Mosaic's name filter does.
func (s *Service) List(ctx context.Context, c model.Caller, name string) ([]model.Organization, error) {
	list, err := s.store.ListOrganizations(ctx, c.TenantID)
	if err != nil {
		return nil, fault.Wrap(err, "list organizations")
	}
	if name != "" {
		list = slices.DeleteFunc(list, func(o model.Organization) bool { return o.Name != name })
	}
	return list, nil
}

// Update changes the fields present in in. Domains are replaced whole.
func (s *Service) Update(ctx context.Context, c model.Caller, id string, in Input) (model.Organization, error) {
	if in.AppIDs != nil {
		return model.Organization{}, fault.Validation("app_ids cannot be updated here; add or remove applications at /apps")
	}
	// The input is checked on a blank organization first, so that a bad body is refused as
	// such whether or not the organization exists.
	if p := apply(&model.Organization{Name: "x"}, in, false); len(p) > 0 {
		return model.Organization{}, fault.Validation(p...)
	}
	var out model.Organization
	err := s.store.UpdateOrganization(ctx, c.TenantID, id, func(cur model.Organization) (model.Organization, error) {
		apply(&cur, in, false)
		cur.UpdatedAt = s.timestamp()
		out = cur
		return cur, nil
	})
	return out, orgErr(err, "update organization")
}

// Delete deletes an organization with its memberships; its members' users stay.
func (s *Service) Delete(ctx context.Context, c model.Caller, id string) error {
	return orgErr(s.store.DeleteOrganization(ctx, c.TenantID, id), "delete organization")
}

// AddApps lets the organization's members use more applications of the tenant.
func (s *Service) AddApps(ctx context.Context, c model.Caller, id string, appIDs []string) error {
	return s.changeApps(ctx, c, id, appIDs, true)
}

// RemoveApps stops the organization's members from logging in to the applications; their
// roles in them are kept, for when an application is added back.
func (s *Service) RemoveApps(ctx context.Context, c model.Caller, id string, appIDs []string) error {
	return s.changeApps(ctx, c, id, appIDs, false)
}

func (s *Service) changeApps(ctx context.Context, c model.Caller, id string, appIDs []string, add bool) error {
	if appIDs == nil {
		return fault.Validation("app_ids is required")
	}
	ids, p := cleanAppIDs(appIDs)
	if len(ids) == 0 && len(p) == 0 {
		p = append(p, "app_ids must name at least one application")
	}
	if len(p) > 0 {
		return fault.Validation(p...)
	}
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.GetOrganization(ctx, c.TenantID, id); err != nil {
			return orgErr(err, "get organization")
		}
		if add {
			if err := requireApps(ctx, tx, c.TenantID, ids); err != nil {
				return err
			}
		}
		return tx.UpdateOrganization(ctx, c.TenantID, id, func(o model.Organization) (model.Organization, error) {
			if add {
				o.AppIDs = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(o.AppIDs), ids...))))
			} else {
				o.AppIDs = slices.DeleteFunc(slices.Clone(o.AppIDs), func(a string) bool { return slices.Contains(ids, a) })
			}
			o.UpdatedAt = s.timestamp()
			return o, nil
		})
	})
	return orgErr(err, "change organization apps")
}

// requireApps checks that every id is an application of the tenant.
func requireApps(ctx context.Context, tx storage.Store, tenantID string, ids []string) error {
	for _, id := range ids {
		if _, err := tx.GetApplication(ctx, tenantID, id); errors.Is(err, storage.ErrNotFound) {
			return errAppNotFound
		} else if err != nil {
			return fault.Wrap(err, "get application")
		}
	}
	return nil
}

// cleanAppIDs sorts and deduplicates application ids, refusing malformed ones.
func cleanAppIDs(ids []string) ([]string, []string) {
	if len(ids) > MaxApps {
		return nil, []string{fmt.Sprintf("app_ids must name at most %d applications", MaxApps)}
	}
	for _, id := range ids {
		if id == "" || len(id) > 128 || !utf8.ValidString(id) {
			return nil, []string{"app_ids must be application ids"}
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(ids))), nil
}

// apply validates in and applies it to o, returning every problem found.
func apply(o *model.Organization, in Input, create bool) []string {
	var p []string
	if in.Name != nil || create {
		name := ""
		if in.Name != nil {
			name = *in.Name
		}
		switch {
		case strings.TrimSpace(name) == "":
			p = append(p, "name is required")
		case !utf8.ValidString(name) || len(name) > MaxNameLen:
			p = append(p, fmt.Sprintf("name must be valid UTF-8 of at most %d bytes", MaxNameLen))
		}
		o.Name = name
	}
	if in.AliasName != nil {
		if !utf8.ValidString(*in.AliasName) || len(*in.AliasName) > MaxNameLen {
			p = append(p, fmt.Sprintf("alias_name must be valid UTF-8 of at most %d bytes", MaxNameLen))
		}
		o.AliasName = *in.AliasName
	}
	if in.Domains != nil || in.Domain != nil {
		var all []string
		if in.Domains != nil {
			all = append(all, *in.Domains...)
		}
		if in.Domain != nil && *in.Domain != "" {
			all = append(all, *in.Domain)
		}
		domains, q := cleanDomains(all)
		p = append(p, q...)
		o.Domains = domains
	}
	if in.Enabled != nil {
		o.Enabled = *in.Enabled
	}
	return p
}

// cleanDomains lower-cases, sorts and deduplicates domain names, refusing what is not one.
func cleanDomains(in []string) ([]string, []string) {
	if len(in) > MaxDomains {
		return nil, []string{fmt.Sprintf("domains must name at most %d domains", MaxDomains)}
	}
	out := make([]string, 0, len(in))
	for _, d := range in {
		d = strings.ToLower(strings.TrimSpace(d))
		if !validDomain(d) {
			return nil, []string{fmt.Sprintf("domains: %q is not a domain name", clip(d))}
		}
		out = append(out, d)
	}
	return slices.Compact(slices.Sorted(slices.Values(out))), nil
}

// validDomain accepts host names of dot-separated labels of letters, digits and hyphens.
func validDomain(d string) bool {
	if d == "" || len(d) > MaxDomainLen || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func clip(s string) string {
	if r := []rune(s); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return s
}

// orgErr maps storage errors: faults pass through, a missing organization is
// organization_not_found, a taken name a conflict, anything else internal.
func orgErr(err error, op string) error {
	var fe *fault.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return fe
	case errors.Is(err, storage.ErrNotFound):
		return errOrgNotFound.With(err)
	case errors.Is(err, storage.ErrAlreadyExists):
		return errNameTaken.With(err)
	}
	return fault.Wrap(err, op)
}
