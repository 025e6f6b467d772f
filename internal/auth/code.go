package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// MaxCodeLen bounds a presented code; a real one is 70 characters.
const MaxCodeLen = 256

var ErrNoSMSProvider = fault.New(fault.Invalid, fault.CodeProviderConfig, "channel sms is not available: no SMS provider is configured")

// OTPPrefs returns the preferences that govern a code: sms for SMS, email_otp for email. A
// direct code follows the channel its identifier would use: sms for a phone number.
func OTPPrefs(p model.LoginPreferences, channel, idType string) model.OTPPreferences {
	if channel == model.ChannelSMS || (channel != model.ChannelEmail && idType == model.IdentifierPhone) {
		return p.SMS
	}
	return p.EmailOTP
}

func ErrLocked(until, now time.Time) *fault.Error {
	e := fault.New(fault.Locked, fault.CodeLocked, "too many failed attempts; try again later")
	e.RetryAfter = until.Sub(now)
	return e
}

// CodeOutcome is what checking a passcode decided; it is computed inside the update so that
// concurrent attempts on one code are serialised by the store.
type CodeOutcome int

// ErrNoChange aborts an update that has nothing to write.
var ErrNoChange = errors.New("no change")

// UserForCode returns the code's user, creating them for a public sign-up (created says so),
// and their link to the caller's application, made when missing.
func (s *Service) UserForCode(ctx context.Context, tx storage.Store, c model.Caller, code model.OneTimeCode, now time.Time) (u model.User, link *model.AppUser, created bool, err error) {
	return s.userForCode(ctx, tx, c, code, func() (model.User, model.AppUser, bool, error) {
		return tx.GetUserAndLink(ctx, c.TenantID, c.AppID, code.UserID)
	}, now)
}

// UserForCodeRead is UserForCode for a code read with its user (storage.CodeUser: CodeAttempt,
// CodeWithUser), taking the user and link that statement read instead of reading them again.
// The read precedes the spending of the code; a user deleted after it is caught by the
// login's writes, which fail with ErrNotFound for a user gone (MarkLogin), as they do after a
// separate read.
func (s *Service) UserForCodeRead(ctx context.Context, tx storage.Store, c model.Caller, code model.OneTimeCode, cu storage.CodeUser, now time.Time) (u model.User, link *model.AppUser, created bool, err error) {
	return s.userForCode(ctx, tx, c, code, func() (model.User, model.AppUser, bool, error) {
		if !cu.UserFound {
			return model.User{}, model.AppUser{}, false, fmt.Errorf("code's user: %w", storage.ErrNotFound)
		}
		return cu.User, cu.Link, cu.Linked, nil
	}, now)
}

// userForCode is UserForCode with the read of an existing user, as GetUserAndLink answers it.
func (s *Service) userForCode(ctx context.Context, tx storage.Store, c model.Caller, code model.OneTimeCode,
	read func() (model.User, model.AppUser, bool, error), now time.Time) (u model.User, link *model.AppUser, created bool, err error) {
	var l model.AppUser
	var linked bool
	if code.UserID != "" {
		u, l, linked, err = read()
	} else {
		u, created, err = s.signUp(ctx, tx, c, code, now)
	}
	if err != nil {
		return u, nil, false, err
	}
	if u.Status != model.UserActive {
		return u, nil, false, fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
	}
	// A user signed up by this login comes with their link; anyone else is adopted.
	l, err = EnsureLink(ctx, tx, c, u.ID, l, linked, code.UserID != "", now)
	return u, &l, created, err
}

// EnsureLink returns the user's link to the caller's application, as a read found it, linking
// them first when they were not: a login through an application makes the user one of its
// users. adopted says the user existed before this login (see model.AppUser.Adopted).
func EnsureLink(ctx context.Context, tx storage.Store, c model.Caller, userID string, link model.AppUser, linked, adopted bool, now time.Time) (model.AppUser, error) {
	if linked {
		return link, nil
	}
	link = model.AppUser{TenantID: c.TenantID, AppID: c.AppID, UserID: userID, CreatedAt: now, Adopted: adopted}
	if err := tx.LinkUser(ctx, link); err != nil {
		return link, err
	}
	// A concurrent login may have linked the user first, with its own time: read what won.
	return tx.GetAppUser(ctx, c.TenantID, c.AppID, userID)
}

// signUp creates the user a public sign-up code was sent for, with the email address or phone
// number it identified; whether that becomes verified is decided by RecordLogin. A user
// created with that identifier since the send is taken as is (created is false).
func (s *Service) signUp(ctx context.Context, tx storage.Store, c model.Caller, code model.OneTimeCode, now time.Time) (model.User, bool, error) {
	value := strings.TrimPrefix(code.Identifier, code.IdentifierType+":")
	u := model.User{ID: model.NewID(), TenantID: c.TenantID, Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
	var field string
	switch code.IdentifierType {
	case model.IdentifierEmail:
		field, u.Email = storage.UserByEmail, value
	case model.IdentifierPhone:
		field, u.PhoneNumber = storage.UserByPhone, value
	default:
		return u, false, fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
	}
	existing, err := tx.GetUserBy(ctx, c.TenantID, field, value)
	if err == nil {
		return existing, false, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return u, false, err
	}
	return u, true, tx.CreateUser(ctx, u)
}

const (
	OutcomeInvalid CodeOutcome = iota
	OutcomeExpired
	OutcomeLockedOut // this failure reached the limit: the code is spent, the identifier locked
	OutcomeOK
)
