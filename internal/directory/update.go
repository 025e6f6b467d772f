package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// UpdateInput changes a user with Mosaic's merge semantics: a nil field is left as it is, an
// empty string clears an optional field, Name and Address replace the stored ones wholesale,
// secondary emails and phone numbers are added to the user's (RemoveSecondary removes one),
// and CustomData and CustomAppData are shallow-merged into the stored objects (top-level keys
// replaced, keys set to null removed).
type UpdateInput struct {
	Email                 *string
	PhoneNumber           *string
	Username              *string
	ExternalUserID        *string
	SecondaryEmails       *[]string
	SecondaryPhoneNumbers *[]string
	Birthday              *string
	Address               *model.Address
	Name                  *model.Name
	Picture               *string
	Language              *string
	Status                *string
	CustomData            json.RawMessage // nil or null: unchanged
	CustomAppData         json.RawMessage // nil or null: unchanged
	// ExternalAccountID is the application's own identifier of the user, on its link.
	ExternalAccountID *string
}

// opt applies f to *p when p is set.
func opt[T any](p *T, f func(T) T) *T {
	if p == nil {
		return nil
	}
	v := f(*p)
	return &v
}

// Update changes the user with id as in describes and returns the result. A changed email or
// phone number is no longer verified. An identifier taken by another user is a conflict, and
// nothing changes.
func (s *Service) Update(ctx context.Context, c model.Caller, id string, in UpdateInput) (User, error) {
	now := s.clock()
	p, err := s.validateUpdate(c, in, now)
	if err != nil {
		return User{}, err
	}
	var out User
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		cur, err := visible(ctx, tx, c, id)
		if err != nil {
			return err
		}
		if in.touchesLogin() {
			if err := RequireOwn(ctx, tx, c, id); err != nil {
				return err
			}
		}
		next, err := p.apply(cur.User, now)
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
			next, err := p.apply(u, now)
			out.User = next
			return next, err
		})
		if err != nil {
			return storeError(err, "update user")
		}
		if cur.User.Status == model.UserActive && out.User.Status != model.UserActive {
			// A user who may no longer sign in loses their sessions, and with them every
			// access and refresh token, at once and on every node.
			if err := endSessions(ctx, tx, c.TenantID, id, "", now); err != nil {
				return err
			}
		}
		out.CustomAppData, out.ExternalAccountID = cur.CustomAppData, cur.ExternalAccountID
		if p.appData == nil && p.account == nil {
			return nil
		}
		err = tx.UpdateAppUser(ctx, c.TenantID, c.AppID, id, func(l model.AppUser) (model.AppUser, error) {
			if p.account != nil {
				l.ExternalAccountID = *p.account
			}
			if p.appData != nil {
				merged, err := mergeObject(l.CustomAppData, p.appData)
				if err != nil {
					return l, fault.Wrap(err, "merge custom application data")
				}
				if len(merged) > maxCustomDataLen {
					return l, fault.Validation(fmt.Sprintf("custom_app_data: the merged object would be larger than %d bytes", maxCustomDataLen))
				}
				l.CustomAppData = merged
			}
			out.CustomAppData, out.ExternalAccountID = l.CustomAppData, l.ExternalAccountID
			return l, nil
		})
		if err != nil {
			return storeError(err, "update application data")
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return s.describeOne(ctx, c, out)
}

// patch is a validated, normalised UpdateInput.
type patch struct {
	UpdateInput
	appData json.RawMessage
	account *string
}

func (s *Service) validateUpdate(c model.Caller, in UpdateInput, now time.Time) (patch, error) {
	k := &checker{now: now}
	field := func(name string, f func(string, string) string) func(string) string {
		return func(v string) string { return f(name, v) }
	}
	list := func(name string, f func(string, string) string) func([]string) []string {
		return func(vs []string) []string { return k.list(name, vs, f) }
	}
	p := patch{UpdateInput: UpdateInput{
		Email:                 opt(in.Email, field("email", k.email)),
		PhoneNumber:           opt(in.PhoneNumber, field("phone_number", k.phone)),
		Username:              opt(in.Username, field("username", k.username)),
		ExternalUserID:        opt(in.ExternalUserID, k.externalID),
		SecondaryEmails:       opt(in.SecondaryEmails, list("secondary_emails", k.email)),
		SecondaryPhoneNumbers: opt(in.SecondaryPhoneNumbers, list("secondary_phone_numbers", k.phone)),
		Birthday:              opt(in.Birthday, k.birthday),
		Address:               opt(in.Address, k.address),
		Name:                  opt(in.Name, k.name),
		Picture:               opt(in.Picture, k.picture),
		Language:              opt(in.Language, k.language),
		Status:                opt(in.Status, k.status),
		CustomData:            k.object("custom_data", in.CustomData),
	}}
	p.appData = k.object("custom_app_data", in.CustomAppData)
	p.account = opt(in.ExternalAccountID, k.account)
	k.ownData(c, p.appData != nil, p.account != nil)
	if in.Status != nil && *p.Status == "" {
		k.add("status: must be one of Active, Disabled, Pending")
	}
	if len(k.problems) > 0 {
		return patch{}, fault.Validation(k.problems...)
	}
	return p, nil
}

// apply returns u changed by p. It has no side effects: the store may call it more than once.
func (p patch) apply(u model.User, now time.Time) (model.User, error) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if p.Email != nil && *p.Email != u.Email {
		u.Email, u.EmailVerifiedAt = *p.Email, nil
	}
	if p.PhoneNumber != nil && *p.PhoneNumber != u.PhoneNumber {
		u.PhoneNumber, u.PhoneVerifiedAt = *p.PhoneNumber, nil
	}
	set(&u.Username, p.Username)
	set(&u.ExternalUserID, p.ExternalUserID)
	set(&u.Birthday, p.Birthday)
	set(&u.Picture, p.Picture)
	set(&u.Language, p.Language)
	if p.Status != nil && *p.Status != u.Status {
		u.Status, u.StatusChangedAt = *p.Status, &now
	}
	if p.SecondaryEmails != nil {
		u.SecondaryEmails = added(u.SecondaryEmails, *p.SecondaryEmails)
	}
	if p.SecondaryPhoneNumbers != nil {
		u.SecondaryPhones = added(u.SecondaryPhones, *p.SecondaryPhoneNumbers)
	}
	// A value that became the primary is no longer a secondary one.
	u.SecondaryEmails, u.SecondaryPhones = without(u.SecondaryEmails, u.Email), without(u.SecondaryPhones, u.PhoneNumber)
	if len(u.SecondaryEmails) > maxSecondary || len(u.SecondaryPhones) > maxSecondary {
		return model.User{}, fault.Validation(fmt.Sprintf("a user may have at most %d secondary emails and %d secondary phone numbers", maxSecondary, maxSecondary))
	}
	if p.Name != nil {
		u.Name = *p.Name
	}
	if p.Address != nil && *p.Address != u.Address {
		u.Address, u.AddressUpdatedAt = *p.Address, &now
	}
	if p.CustomData != nil {
		merged, err := mergeObject(u.CustomData, p.CustomData)
		if err != nil {
			return model.User{}, fault.Wrap(err, "merge custom data")
		}
		if len(merged) > maxCustomDataLen {
			return model.User{}, fault.Validation(fmt.Sprintf("custom_data: the merged object would be larger than %d bytes", maxCustomDataLen))
		}
		u.CustomData = merged
	}
	if u.Email == "" && u.PhoneNumber == "" && u.Username == "" {
		return model.User{}, fault.Validation("a user must keep an email, a phone number or a username")
	}
	u.UpdatedAt = now
	return u, nil
}

// added returns have with each of more it does not hold yet appended, in order.
func added(have, more []string) []string {
	out := slices.Clone(have)
	for _, v := range more {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
