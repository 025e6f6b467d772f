package directory

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// ErrSharedUser refuses an application's client a change that would reach beyond its own
// application: a user who belongs to other applications of the tenant too keeps their login
// identifiers, status and credentials unless a management (admin) token changes them.
// Without this rule, an application that knows a user's email could link them (as user
// creation does for an existing user) and then set a password or an email address that would
// let it sign in as them everywhere.
var ErrSharedUser = fault.New(fault.Forbidden, "user_shared",
	"this user also belongs to other applications of the tenant; only a management token may change their identifiers, status or credentials")

// Shared reports whether the user is linked to an application of the tenant other than the
// caller's.
func Shared(ctx context.Context, st storage.Store, c model.Caller, userID string) (bool, error) {
	apps, err := st.ListApplications(ctx, c.TenantID)
	if err != nil {
		return false, fault.Wrap(err, "list applications")
	}
	for _, a := range apps {
		if a.ID == c.AppID {
			continue
		}
		_, err := st.GetAppUser(ctx, c.TenantID, a.ID, userID)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return false, fault.Wrap(err, "get app user")
		}
	}
	return false, nil
}

// RequireOwn fails with ErrSharedUser when a non-admin caller acts on a user shared with other
// applications.
func RequireOwn(ctx context.Context, st storage.Store, c model.Caller, userID string) error {
	if c.Admin {
		return nil
	}
	shared, err := Shared(ctx, st, c, userID)
	if err != nil {
		return err
	}
	if shared {
		return ErrSharedUser
	}
	return nil
}

// touchesLogin reports whether an update changes what a user signs in with or whether they
// may: identifiers and status.
func (in UpdateInput) touchesLogin() bool {
	return in.Email != nil || in.PhoneNumber != nil || in.Username != nil || in.ExternalUserID != nil || in.Status != nil
}
