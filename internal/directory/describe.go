package directory

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
)

// Identity is one way a user has signed in: a login method and their first and last
// successful logins with it, from the audit log.
type Identity struct {
	Method string // an AMR* value
	First  time.Time
	Last   time.Time
}

// PasswordInfo is the state of a user's password, without anything secret.
type PasswordInfo struct {
	// Temporary is set for a password that must be replaced at the next login.
	Temporary bool
	// Expired is set when the password may no longer log in, under the caller's application's
	// password preferences (the defaults for a management caller).
	Expired   bool
	UpdatedAt time.Time
	// ExpiresAt is when the password stops being usable; nil when it never does.
	ExpiresAt *time.Time
}

// describe fills in what the users API shows of each user beside their profile, reading it
// for all of them at once: the calling application's name, the user's identities, the state
// of their password and their groups.
func (s *Service) describe(ctx context.Context, c model.Caller, users []User) error {
	if len(users) == 0 {
		return nil
	}
	prefs := model.LoginPreferences{}.Normalized().Password
	var appName string
	if !c.Admin {
		app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
		if err != nil {
			return fault.Wrap(err, "get application")
		}
		appName, prefs = app.Name, app.Preferences.Normalized().Password
	}
	ids := make([]string, len(users))
	at := make(map[string]int, len(users))
	for i, u := range users {
		ids[i], at[u.ID] = u.ID, i
		users[i].AppName = appName
		users[i].Identities = []Identity{}
		users[i].GroupIDs = []string{}
	}
	groups, err := s.store.ListUsersGroupIDs(ctx, c.TenantID, ids)
	if err != nil {
		return fault.Wrap(err, "list users' groups")
	}
	for id, list := range groups {
		users[at[id]].GroupIDs = list
	}
	uses, err := s.store.ListLoginMethods(ctx, c.TenantID, ids)
	if err != nil {
		return fault.Wrap(err, "list login methods")
	}
	for _, use := range uses {
		i := at[use.UserID]
		users[i].Identities = append(users[i].Identities, Identity{Method: use.Method, First: use.First, Last: use.Last})
	}
	creds, err := s.store.ListUserCredentials(ctx, c.TenantID, model.CredentialPassword, ids)
	if err != nil {
		return fault.Wrap(err, "list passwords")
	}
	now := s.clock()
	for _, cred := range creds {
		d, err := password.ParseData(cred.Data)
		if err != nil {
			return fault.Wrap(err, "read password data")
		}
		st := d.StateAt(prefs, now)
		updated := d.ChangedAt
		if updated.IsZero() {
			updated = cred.UpdatedAt
		}
		users[at[cred.UserID]].Password = &PasswordInfo{
			Temporary: d.Temporary, Expired: st == password.Expired || st == password.TemporaryExpired,
			UpdatedAt: updated, ExpiresAt: d.ExpiresAt,
		}
	}
	for i := range users {
		// By first use, then method, so that answers are stable.
		slices.SortFunc(users[i].Identities, func(a, b Identity) int {
			return cmp.Or(a.First.Compare(b.First), strings.Compare(a.Method, b.Method))
		})
	}
	return nil
}

// describeOne is describe for one user.
func (s *Service) describeOne(ctx context.Context, c model.Caller, u User) (User, error) {
	list := []User{u}
	if err := s.describe(ctx, c, list); err != nil {
		return User{}, err
	}
	return list[0], nil
}
