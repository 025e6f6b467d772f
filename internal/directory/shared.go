package directory

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// ErrSharedUser refuses an application's client a change that would reach beyond its own
// application: a user who belongs to other applications of the tenant too, or whom the
// application did not bring in itself, keeps their login identifiers, status, credentials
// and tenant-wide custom data unless a management (admin) token changes them. Without this
// rule, an application that knows a user's email could link them (as user creation does for
// an existing user) and then set a password or an email address that would let it sign in as
// them everywhere.
var ErrSharedUser = fault.New(fault.Forbidden, "user_shared",
	"this user also belongs to other applications of the tenant, or was not created through this application; only a management token may change their identifiers, status, credentials or custom data")

// Shared reports whether the user is not the caller's own: linked to another application of
// the tenant, or adopted by the caller's (an existing user linked by user creation or a later
// sign-in, rather than one created or signed up through it). An adopted user may have been the
// admin's, or another application's that let them go; they stay tenant-managed.
func Shared(ctx context.Context, st Memberships, c model.Caller, userID string) (bool, error) {
	own, err := st.GetAppUser(ctx, c.TenantID, c.AppID, userID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return true, nil
	case err != nil:
		return false, fault.Wrap(err, "get app user")
	case own.Adopted:
		return true, nil
	}
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
func RequireOwn(ctx context.Context, st Memberships, c model.Caller, userID string) error {
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
// may (identifiers and status), or their tenant-wide custom data, which other applications'
// tokens carry and often read as roles.
func (in UpdateInput) touchesLogin() bool {
	return in.Email != nil || in.PhoneNumber != nil || in.Username != nil || in.ExternalUserID != nil || in.Status != nil ||
		(len(in.CustomData) > 0 && string(in.CustomData) != "null")
}

// Memberships is what the rules about shared users read: users with their application links,
// and the tenant's applications. storage.Store satisfies it.
type Memberships interface {
	storage.Users
	storage.Applications
}
