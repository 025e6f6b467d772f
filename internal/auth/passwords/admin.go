package passwords

import (
	"bytes"
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/storage"
)

// PasswordRegister registers a first password for a user (Mosaic's POST
// /v1/users/{user_id}/password).
type PasswordRegister struct {
	UserID   string
	Password string
	// ForceReplace makes the password temporary: it can only be used to choose a new one.
	ForceReplace bool
	// Username is the login name. A user without a username gets it as their username; a user
	// with one must give the same. Empty leaves the user's identifiers as they are.
	Username string
	// EnforceComplexity applies the application's complexity policy and the weak list.
	EnforceComplexity bool
}

// PasswordSet replaces a user's password on an administrator's behalf (Mosaic's PUT
// /v1/users/{user_id}/password).
type PasswordSet struct {
	UserID            string
	Password          string
	ForceReplace      bool
	EnforceComplexity bool
}

var (
	errUserNotFound = fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
	errConfigured   = fault.New(fault.Conflict, password.CodeAlreadyConfigured,
		"the user already has a password; replace it with PUT /cis/v1/users/{user_id}/password")
)

// RegisterPassword registers a user's first password. An application's client may register
// one for its own users; a management client for any user of the tenant, under the default
// preferences.
func (s *Service) RegisterPassword(ctx context.Context, c model.Caller, req PasswordRegister) error {
	p := (password.Input{Password: req.Password}).Problems("")
	var norm string
	if req.Username != "" {
		var err error
		if norm, err = directory.NormalizeUsername(req.Username); err != nil {
			p = append(p, "username: "+err.Error())
		}
	}
	if len(p) > 0 {
		return fault.Validation(p...)
	}
	u, prefs, grant, err := s.passwordTarget(ctx, c, req.UserID)
	if err != nil {
		return err
	}
	username := u.Username
	if norm != "" {
		if u.Username != "" && norm != u.Username {
			return fault.Validation("username: the user already has another username")
		}
		username = norm
	}
	if _, found, err := passwordOf(ctx, s.store, c.TenantID, u.ID); err != nil {
		return err
	} else if found {
		return errConfigured
	}
	now := s.core.Now()
	in := password.Input{
		Password: req.Password, Temporary: req.ForceReplace, Lenient: !req.EnforceComplexity,
		Subject: password.Subject{Username: username, Email: u.Email},
	}
	cred, err := password.Shared().Create(ctx, c.TenantID, u.ID, in, prefs, now)
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		if err := grant.Create(ctx, tx, cred); err != nil {
			return err
		}
		if username != u.Username {
			err := tx.UpdateUser(ctx, c.TenantID, u.ID, func(cur model.User) (model.User, error) {
				if cur.Username != "" && cur.Username != username {
					return cur, fault.Validation("username: the user already has another username")
				}
				cur.Username, cur.UpdatedAt = username, now
				return cur, nil
			})
			if err != nil {
				return err
			}
		}
		return s.core.Record(ctx, tx, c, auth.Event{Type: model.EventPasswordChanged, Method: "register", UserID: u.ID}, now)
	})
	var dup *storage.DuplicateError
	if errors.As(err, &dup) {
		if dup.Field == "username" {
			return fault.New(fault.Conflict, fault.CodeUserExists, "username is taken by another user")
		}
		return errConfigured
	}
	return auth.AsFault(err, "register password")
}

// SetPassword replaces a user's password for an administrator, and ends the user's sessions.
// The new password is checked against blockPreviousPasswords like any other.
func (s *Service) SetPassword(ctx context.Context, c model.Caller, req PasswordSet) error {
	if p := (password.Input{Password: req.Password}).Problems(""); len(p) > 0 {
		return fault.Validation(p...)
	}
	u, prefs, grant, err := s.passwordTarget(ctx, c, req.UserID)
	if err != nil {
		return err
	}
	cur, found, err := passwordOf(ctx, s.store, c.TenantID, u.ID)
	if err != nil {
		return err
	}
	if !found {
		return errNoPassword
	}
	now := s.core.Now()
	in := password.Input{
		Password: req.Password, Temporary: req.ForceReplace, Lenient: !req.EnforceComplexity,
		Subject: password.Subject{Username: u.Username, Email: u.Email},
	}
	next, err := password.Shared().Replace(ctx, cur, in, prefs, false, now)
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		err := grant.Update(ctx, tx, cur.ID, func(cc model.Credential) (model.Credential, error) {
			if !bytes.Equal(cc.Secret, cur.Secret) {
				return cc, fault.New(fault.Conflict, fault.CodeConflict, "the password changed meanwhile; try again")
			}
			cc.Secret, cc.Data, cc.UpdatedAt = next.Secret, next.Data, now
			return cc, nil
		})
		if errors.Is(err, storage.ErrNotFound) {
			return errNoPassword
		} else if err != nil {
			return err
		}
		return s.passwordChanged(ctx, tx, c, u, "admin_reset", "", now)
	})
	return auth.AsFault(err, "set password")
}

// passwordTarget returns the user an administrative password call names, as the caller may
// see them, and the password preferences that apply: the caller's application's, or the
// defaults for a management client, which belongs to no end users' application.
func (s *Service) passwordTarget(ctx context.Context, c model.Caller, userID string) (model.User, model.PasswordPreferences, directory.CredentialGrant, error) {
	var prefs model.PasswordPreferences
	var grant directory.CredentialGrant
	if !model.ValidID(userID) {
		return model.User{}, prefs, grant, errUserNotFound
	}
	u, err := s.store.GetUser(ctx, c.TenantID, userID)
	if errors.Is(err, storage.ErrNotFound) {
		return u, prefs, grant, errUserNotFound
	} else if err != nil {
		return u, prefs, grant, fault.Wrap(err, "get user")
	}
	if c.Admin {
		grant, err = directory.AllowCredential(ctx, s.store, c, u.ID, directory.ByCaller)
		return u, model.LoginPreferences{}.Normalized().Password, grant, err
	}
	if _, err := s.store.GetAppUser(ctx, c.TenantID, c.AppID, u.ID); errors.Is(err, storage.ErrNotFound) {
		return u, prefs, grant, errUserNotFound
	} else if err != nil {
		return u, prefs, grant, fault.Wrap(err, "get app user")
	}
	if grant, err = directory.AllowCredential(ctx, s.store, c, u.ID, directory.ByCaller); err != nil {
		return u, prefs, grant, err
	}
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return u, prefs, grant, fault.Wrap(err, "get application")
	}
	return u, app.Preferences.Normalized().Password, grant, nil
}
