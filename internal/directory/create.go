package directory

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/storage"
)

// CreateInput is a new user, with Mosaic's fields. Empty fields are not set.
type CreateInput struct {
	Email                 string
	PhoneNumber           string
	Username              string
	SecondaryEmails       []string
	SecondaryPhoneNumbers []string
	Birthday              string // YYYY-MM-DD
	Address               model.Address
	Name                  model.Name
	ExternalUserID        string
	CustomData            json.RawMessage // a JSON object, tenant-wide
	CustomAppData         json.RawMessage // a JSON object, kept on the caller's application link
	Picture               string          // absolute http(s) URL
	Language              string
	Status                string // Active (the default), Disabled or Pending
	// ExternalAccountID is the application's own identifier of the user, kept on the caller's
	// application link.
	ExternalAccountID string
	// Credentials are a password, or an imported password hash, to register with the user.
	Credentials *Credentials
	// DelegatedAccess is Mosaic's delegated_access (a dependent user's primary user), which
	// Latchkey does not support: a value other than absent or null is refused.
	DelegatedAccess json.RawMessage
}

// appLink is what an application keeps about a user on its link to them.
type appLink struct {
	data    json.RawMessage
	account string
}

// Credentials are a password to register for a new user: a password in the clear, checked
// against the application's policy, or a hash imported from another system (see package
// password for the formats), replaced by an argon2id hash at the user's first login.
type Credentials struct {
	Password     string
	PasswordHash string
	// ForceReplace makes the password temporary: it can only be used to choose a new one.
	ForceReplace bool
}

func (c Credentials) input(u model.User) password.Input {
	return password.Input{
		Password: c.Password, Hash: c.PasswordHash, Temporary: c.ForceReplace,
		Subject: password.Subject{Username: u.Username, Email: u.Email},
	}
}

// Create creates a user in c's tenant. An application's client links the new user to its
// application, with CustomAppData on the link.
//
// As in Mosaic, when an application's client creates a user that already exists in the tenant,
// the existing user is linked to its application instead, with the caller's CustomAppData on
// the link and the tenant-wide profile left as it is. That happens only when every identifier
// given (email, phone number, username, external user id) belongs to that same user; otherwise,
// or for a management caller, a taken identifier is a conflict.
func (s *Service) Create(ctx context.Context, c model.Caller, in CreateInput) (User, error) {
	now := s.clock()
	u, own, err := s.validateCreate(c, in, now)
	if err != nil {
		return User{}, err
	}
	// Hashing is slow: it happens before the transaction, not inside it.
	var cred *model.Credential
	if in.Credentials != nil {
		if cred, err = s.newPassword(ctx, c, u, *in.Credentials, now); err != nil {
			return User{}, err
		}
	}
	var out User
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		taken, found, err := owners(ctx, tx, c.TenantID, "", claims(u))
		if err != nil {
			return err
		}
		if len(taken) > 0 {
			if out, err = linkExisting(ctx, tx, c, u, taken, found, own, now); err != nil {
				return err
			}
			if cred != nil {
				// Credentials for an existing user are not the linking application's to set.
				return ErrSharedUser
			}
			return nil
		}
		if err := tx.CreateUser(ctx, u); err != nil {
			return storeError(err, "create user")
		}
		out = User{User: u}
		if !c.Admin {
			out.CustomAppData, out.ExternalAccountID = own.data, own.account
			if err := link(ctx, tx, c, u.ID, own, false, now); err != nil {
				return err
			}
		}
		// After the link, so that the rule sees the new user as the caller's own.
		return addPassword(ctx, tx, c, cred, u.ID)
	})
	if err != nil {
		return User{}, err
	}
	return s.describeOne(ctx, c, out)
}

// linkExisting links the one existing user holding every identifier of u to c's application,
// or returns the conflict.
func linkExisting(ctx context.Context, tx storage.Store, c model.Caller, u model.User, taken []string,
	found map[string]model.User, own appLink, now time.Time) (User, error) {
	existing := found[taken[0]]
	if c.Admin || len(taken) != len(claims(u)) {
		return User{}, errTaken(taken...)
	}
	for _, f := range taken {
		if found[f].ID != existing.ID {
			return User{}, errTaken(taken...)
		}
	}
	_, err := tx.GetAppUser(ctx, c.TenantID, c.AppID, existing.ID)
	switch {
	case err == nil:
		return User{}, fault.New(fault.Conflict, fault.CodeUserExists, "the user already exists in this application")
	case !errors.Is(err, storage.ErrNotFound):
		return User{}, fault.Wrap(err, "get application link")
	}
	if err := link(ctx, tx, c, existing.ID, own, true, now); err != nil {
		return User{}, err
	}
	return User{User: existing, CustomAppData: own.data, ExternalAccountID: own.account}, nil
}

// link links userID to c's application, keeping own on the link; adopted says the user
// existed before (see model.AppUser.Adopted).
func link(ctx context.Context, tx storage.Store, c model.Caller, userID string, own appLink, adopted bool, now time.Time) error {
	l := model.AppUser{TenantID: c.TenantID, AppID: c.AppID, UserID: userID, CustomAppData: own.data,
		ExternalAccountID: own.account, CreatedAt: now, Adopted: adopted}
	if err := tx.LinkUser(ctx, l); err != nil {
		return fault.Wrap(err, "link user to application")
	}
	return nil
}

// validateCreate builds the new user and what the caller's application keeps about them from
// in, or returns every problem with it.
func (s *Service) validateCreate(c model.Caller, in CreateInput, now time.Time) (model.User, appLink, error) {
	k := &checker{now: now}
	u := model.User{
		ID:              model.NewID(),
		TenantID:        c.TenantID,
		Email:           k.email("email", in.Email),
		PhoneNumber:     k.phone("phone_number", in.PhoneNumber),
		Username:        k.username("username", in.Username),
		ExternalUserID:  k.externalID(in.ExternalUserID),
		SecondaryEmails: k.list("secondary_emails", in.SecondaryEmails, k.email),
		SecondaryPhones: k.list("secondary_phone_numbers", in.SecondaryPhoneNumbers, k.phone),
		Birthday:        k.birthday(in.Birthday),
		Address:         k.address(in.Address),
		Name:            k.name(in.Name),
		Picture:         k.picture(in.Picture),
		Language:        k.language(in.Language),
		CustomData:      k.object("custom_data", in.CustomData),
		Status:          k.status(in.Status),
		CreatedAt:       now,
		UpdatedAt:       now,
	}
	if u.Status == "" {
		u.Status = model.UserActive
	}
	u.StatusChangedAt = &now
	if !u.Address.IsZero() {
		u.AddressUpdatedAt = &now
	}
	u.SecondaryEmails = without(u.SecondaryEmails, u.Email)
	u.SecondaryPhones = without(u.SecondaryPhones, u.PhoneNumber)
	own := appLink{data: k.object("custom_app_data", in.CustomAppData), account: k.account(in.ExternalAccountID)}
	k.ownData(c, own.data != nil, own.account != "")
	if strings.TrimSpace(in.Email) == "" && strings.TrimSpace(in.PhoneNumber) == "" && strings.TrimSpace(in.Username) == "" {
		k.add("email, phone_number or username is required")
	}
	if !absent(in.DelegatedAccess) {
		k.add("delegated_access: dependent users are not supported")
	}
	if in.Credentials != nil {
		k.problems = append(k.problems, in.Credentials.input(u).Problems("credentials.")...)
	}
	if len(k.problems) > 0 {
		return model.User{}, appLink{}, fault.Validation(k.problems...)
	}
	return u, own, nil
}

// without returns vs without v.
func without(vs []string, v string) []string {
	if v == "" {
		return vs
	}
	return slices.DeleteFunc(vs, func(x string) bool { return x == v })
}

// newPassword builds the password credential of a new user under the caller's application's
// password preferences (the defaults for a management caller).
func (s *Service) newPassword(ctx context.Context, c model.Caller, u model.User, cr Credentials, now time.Time) (*model.Credential, error) {
	prefs := model.LoginPreferences{}.Normalized().Password
	if !c.Admin {
		app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
		if err != nil {
			return nil, fault.Wrap(err, "get application")
		}
		prefs = app.Preferences.Normalized().Password
	}
	cred, err := password.Shared().Create(ctx, c.TenantID, u.ID, cr.input(u), prefs, now)
	if err != nil {
		return nil, err
	}
	return &cred, nil
}

// addPassword stores cred, when set, for the user with userID: the new user, or the existing
// one a creation linked, who must not have a password yet.
func addPassword(ctx context.Context, tx storage.Store, c model.Caller, cred *model.Credential, userID string) error {
	if cred == nil {
		return nil
	}
	grant, err := AllowCredential(ctx, tx, c, userID, ByCaller)
	if err != nil {
		return err
	}
	err = grant.Create(ctx, tx, password.Reassign(*cred, userID))
	if errors.Is(err, storage.ErrAlreadyExists) {
		return fault.New(fault.Conflict, password.CodeAlreadyConfigured, "the user already has a password")
	}
	if err != nil {
		return fault.Wrap(err, "create password credential")
	}
	return nil
}
