package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// UpdateInput changes a user with Mosaic's merge semantics: a nil field is left as it is, an
// empty string clears an optional field, Name and Address replace the stored ones wholesale,
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
		out.CustomAppData = cur.CustomAppData
		if p.appData == nil {
			return nil
		}
		err = tx.UpdateAppUser(ctx, c.TenantID, c.AppID, id, func(l model.AppUser) (model.AppUser, error) {
			merged, err := mergeObject(l.CustomAppData, p.appData)
			if err != nil {
				return l, fault.Wrap(err, "merge custom application data")
			}
			if len(merged) > maxCustomDataLen {
				return l, fault.Validation(fmt.Sprintf("custom_app_data: the merged object would be larger than %d bytes", maxCustomDataLen))
			}
			l.CustomAppData = merged
			out.CustomAppData = merged
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
	return out, nil
}

// patch is a validated, normalised UpdateInput.
type patch struct {
	UpdateInput
	appData json.RawMessage
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
	if c.Admin && p.appData != nil {
		k.add("custom_app_data: is an application's own data and needs an application's client token")
	}
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
	set(&u.Status, p.Status)
	if p.SecondaryEmails != nil {
		u.SecondaryEmails = *p.SecondaryEmails
	}
	if p.SecondaryPhoneNumbers != nil {
		u.SecondaryPhones = *p.SecondaryPhoneNumbers
	}
	if p.Name != nil {
		u.Name = *p.Name
	}
	if p.Address != nil {
		u.Address = *p.Address
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
	if u.Email == "" && u.PhoneNumber == "" {
		return model.User{}, fault.Validation("a user must keep an email or a phone number")
	}
	u.UpdatedAt = now
	return u, nil
}
