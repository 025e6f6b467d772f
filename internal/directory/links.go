package directory

import (
	"context"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// Links returns the user's links to the tenant's applications, in the order the applications
// are listed. Only a management caller sees them all: an application's client sees the user
// through its own link and learns nothing of the others.
func (s *Service) Links(ctx context.Context, c model.Caller, id string) ([]model.AppUser, error) {
	u, err := visible(ctx, s.store, c, id)
	if err != nil {
		return nil, err
	}
	if !c.Admin {
		return nil, fault.New(fault.Forbidden, fault.CodeForbidden, "only a management client sees a user's applications")
	}
	apps, err := s.store.ListApplications(ctx, c.TenantID)
	if err != nil {
		return nil, fault.Wrap(err, "list applications")
	}
	// A tenant has few applications: one indexed lookup each.
	out := []model.AppUser{}
	for _, a := range apps {
		links, err := s.store.ListAppUsers(ctx, c.TenantID, a.ID, []string{u.ID})
		if err != nil {
			return nil, fault.Wrap(err, "list application links")
		}
		out = append(out, links...)
	}
	return out, nil
}
