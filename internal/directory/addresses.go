package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Kinds of a user's addresses, for RemoveSecondary and Verify.
const (
	AddressEmail = "email"
	AddressPhone = "phone_number"
)

// address is one of a user's email addresses or phone numbers, in the fields of its kind.
type address struct {
	kind  string
	value string // normalised
}

func newAddress(kind, value string) (address, error) {
	var v string
	var err error
	switch kind {
	case AddressEmail:
		v, err = NormalizeEmail(value)
	case AddressPhone:
		v, err = NormalizePhone(value)
	default:
		return address{}, fault.Wrap(fmt.Errorf("unknown kind of address %q", kind), "address")
	}
	if err != nil {
		return address{}, fault.Validation(kind + ": " + err.Error())
	}
	return address{kind: kind, value: v}, nil
}

// primary returns a pointer to u's primary address of a's kind and to its verification time.
func (a address) primary(u *model.User) (*string, **time.Time) {
	if a.kind == AddressEmail {
		return &u.Email, &u.EmailVerifiedAt
	}
	return &u.PhoneNumber, &u.PhoneVerifiedAt
}

// secondaries returns a pointer to u's secondary addresses of a's kind.
func (a address) secondaries(u *model.User) *[]string {
	if a.kind == AddressEmail {
		return &u.SecondaryEmails
	}
	return &u.SecondaryPhones
}

func (a address) errMissing() error {
	what := "secondary email"
	if a.kind == AddressPhone {
		what = "secondary phone number"
	}
	return fault.New(fault.NotFound, fault.CodeNotFound, "the user has no such %s", what)
}

// RemoveSecondary removes a secondary email address or phone number (kind is AddressEmail or
// AddressPhone) from the user with id. A value that is not one of the user's secondary ones,
// their primary one included, is not found.
func (s *Service) RemoveSecondary(ctx context.Context, c model.Caller, id, kind, value string) error {
	a, err := newAddress(kind, value)
	if err != nil {
		return err
	}
	now := s.clock()
	return s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := visible(ctx, tx, c, id); err != nil {
			return err
		}
		err := tx.UpdateUser(ctx, c.TenantID, id, func(u model.User) (model.User, error) {
			list := a.secondaries(&u)
			if !slices.Contains(*list, a.value) {
				return u, a.errMissing()
			}
			*list = without(slices.Clone(*list), a.value)
			u.SecondaryVerifiedAt = maps.Clone(u.SecondaryVerifiedAt)
			delete(u.SecondaryVerifiedAt, a.value)
			u.UpdatedAt = now
			return u, nil
		})
		if err != nil {
			return storeError(err, "remove secondary address")
		}
		return nil
	})
}

// Verify marks one of the user's email addresses or phone numbers as verified outside
// Latchkey, now. With toPrimary, a secondary one becomes the user's primary one and the
// former primary one (if any) a secondary one, keeping its verification; the new primary
// must not be another user's. A value the user does not have is not found. Vouching for an
// address is a statement every application of the tenant relies on, so an application's
// client may do it only for its own users (see RequireOwn).
func (s *Service) Verify(ctx context.Context, c model.Caller, id, kind, value string, toPrimary bool) error {
	a, err := newAddress(kind, value)
	if err != nil {
		return err
	}
	now := s.clock()
	return s.store.InTx(ctx, func(tx storage.Store) error {
		cur, err := visible(ctx, tx, c, id)
		if err != nil {
			return err
		}
		if err := RequireOwn(ctx, tx, c, id); err != nil {
			return err
		}
		next, err := a.verify(cur.User, toPrimary, now)
		if err != nil {
			return err
		}
		taken, _, err := owners(ctx, tx, c.TenantID, id, claims(next))
		if err != nil {
			return err
		}
		if len(taken) > 0 {
			return errTaken(taken...)
		}
		err = tx.UpdateUser(ctx, c.TenantID, id, func(u model.User) (model.User, error) {
			return a.verify(u, toPrimary, now)
		})
		if err != nil {
			return storeError(err, "verify address")
		}
		return nil
	})
}

// verify returns u with a verified at now, and made primary when toPrimary is set. It has no
// side effects: the store may call it more than once.
func (a address) verify(u model.User, toPrimary bool, now time.Time) (model.User, error) {
	primary, primaryAt := a.primary(&u)
	list := a.secondaries(&u)
	u.SecondaryVerifiedAt = maps.Clone(u.SecondaryVerifiedAt)
	switch {
	case *primary == a.value:
		*primaryAt = &now
	case !slices.Contains(*list, a.value):
		return u, a.errMissing()
	case !toPrimary:
		if u.SecondaryVerifiedAt == nil {
			u.SecondaryVerifiedAt = map[string]time.Time{}
		}
		u.SecondaryVerifiedAt[a.value] = now
	default:
		rest := without(slices.Clone(*list), a.value)
		delete(u.SecondaryVerifiedAt, a.value)
		if old, oldAt := *primary, *primaryAt; old != "" {
			rest = append(rest, old)
			if oldAt != nil {
				if u.SecondaryVerifiedAt == nil {
					u.SecondaryVerifiedAt = map[string]time.Time{}
				}
				u.SecondaryVerifiedAt[old] = *oldAt
			}
		}
		*list, *primary, *primaryAt = rest, a.value, &now
	}
	u.UpdatedAt = now
	return u, nil
}

// Identifier names Mosaic's getUserByIdentifier takes, mapped to the lookup field; the
// snake_case spellings are accepted too.
var identifierNames = map[string]string{
	"email": storage.UserByEmail, "phoneNumber": storage.UserByPhone, "phone_number": storage.UserByPhone,
	"externalUserId": storage.UserByExternalUserID, "external_user_id": storage.UserByExternalUserID,
	"username": storage.UserByUsername, "userId": model.IdentifierUserID, "user_id": model.IdentifierUserID,
}

// GetByIdentifier returns the user whose identifier called name equals value, as c sees them.
// Latchkey federates no identity providers and has no custom identifiers, so the built-in
// idpIdentifier names nobody.
func (s *Service) GetByIdentifier(ctx context.Context, c model.Caller, name, value string) (User, error) {
	var problems []string
	field, ok := identifierNames[name]
	switch {
	case name == "":
		problems = append(problems, "identifier_name: is required")
	case name == "idpIdentifier":
	case !ok:
		problems = append(problems, "identifier_name: must be one of email, phoneNumber, externalUserId, username, idpIdentifier")
	}
	if value == "" {
		problems = append(problems, "identifier_value: is required")
	}
	if len(problems) > 0 {
		return User{}, fault.Validation(problems...)
	}
	switch {
	case name == "idpIdentifier":
		return User{}, errUserNotFound
	case field == model.IdentifierUserID:
		return s.Get(ctx, c, value)
	}
	return s.GetBy(ctx, c, field, value)
}

// Group is a group of users.
type Group struct {
	ID          string
	Name        string
	Description string
	CustomData  json.RawMessage
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Groups checks that c may see the user with id, for the users API's list of a user's groups,
// and returns an empty list: the groups themselves are the groups package's, which that route
// reads once the user is known to be visible.
func (s *Service) Groups(ctx context.Context, c model.Caller, id string) ([]Group, error) {
	if _, err := visible(ctx, s.store, c, id); err != nil {
		return nil, err
	}
	return []Group{}, nil
}
