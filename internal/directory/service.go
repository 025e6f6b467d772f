package directory

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Options configure a Service.
type Options struct {
	// Now returns the current time; nil means time.Now. Tests set it to a fixed clock.
	Now func() time.Time
}

// Service manages users. It is safe for concurrent use.
type Service struct {
	store storage.Store
	now   func() time.Time
}

// New returns a Service over store.
func New(store storage.Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: store, now: opts.Now}
}

// User is a user as one caller sees it: the tenant-wide profile plus, for an application's
// client, that application's own data about the user.
type User struct {
	model.User
	// CustomAppData is the calling application's JSON object about the user; nil for
	// management callers and when the application stored none.
	CustomAppData json.RawMessage
	// ExternalAccountID is the calling application's own identifier of the user; empty for
	// management callers and when the application set none.
	ExternalAccountID string
	// AppName is the calling application's name; empty for management callers.
	AppName string
	// Identities are the login methods the user has signed in with, by first use.
	Identities []Identity
	// Password is the state of the user's password; nil when they have none.
	Password *PasswordInfo
	// GroupIDs are the ids of the user's groups, oldest group first; empty, not nil, when
	// they belong to none.
	GroupIDs []string
}

// withLink returns u as an application sees it through its link l.
func withLink(u model.User, l model.AppUser) User {
	return User{User: u, CustomAppData: l.CustomAppData, ExternalAccountID: l.ExternalAccountID}
}

// clock returns the current time in UTC at the millisecond precision the store keeps, so that
// what a call returns equals what a later read returns.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Millisecond)
}

var (
	errUserNotFound = fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
	errNeedsApp     = fault.New(fault.Forbidden, fault.CodeForbidden,
		"this operation acts on an application's users and needs an application's client token, not a management token")
)

// FindByIdentifier returns the tenant's user named by an identifier of type idType (one of the
// model.Identifier* constants), normalising value first. It applies no caller scoping: it is
// for sign-in flows, which check the application link themselves.
func (s *Service) FindByIdentifier(ctx context.Context, tenantID, idType, value string) (model.User, error) {
	v, err := NormalizeIdentifier(idType, value)
	if err != nil {
		return model.User{}, fault.Validation(err.Error())
	}
	var u model.User
	switch idType {
	case model.IdentifierUserID:
		u, err = s.store.GetUser(ctx, tenantID, v)
	case model.IdentifierEmail:
		u, err = s.store.GetUserBy(ctx, tenantID, storage.UserByEmail, v)
	case model.IdentifierPhone:
		u, err = s.store.GetUserBy(ctx, tenantID, storage.UserByPhone, v)
	default:
		u, err = s.store.GetUserBy(ctx, tenantID, storage.UserByUsername, v)
	}
	if err != nil {
		return model.User{}, lookupError(err, "find user")
	}
	return u, nil
}

// lookupError turns a store error of a lookup into a fault: NotFound becomes user_not_found.
func lookupError(err error, what string) error {
	if errors.Is(err, storage.ErrNotFound) {
		return errUserNotFound.With(err)
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe
	}
	return fault.Wrap(err, what)
}

// visible returns the user with id as c may see it, or user_not_found when the user does not
// exist in c's tenant or, for an application's client, is not linked to its application.
func visible(ctx context.Context, st storage.Store, c model.Caller, id string) (User, error) {
	if !model.ValidID(id) {
		return User{}, errUserNotFound
	}
	u, err := st.GetUser(ctx, c.TenantID, id)
	if err != nil {
		return User{}, lookupError(err, "get user")
	}
	return withAppData(ctx, st, c, u)
}

// withAppData checks that a client caller's application is linked to u and attaches its data.
func withAppData(ctx context.Context, st storage.Store, c model.Caller, u model.User) (User, error) {
	if c.Admin {
		return User{User: u}, nil
	}
	link, err := st.GetAppUser(ctx, c.TenantID, c.AppID, u.ID)
	if err != nil {
		return User{}, lookupError(err, "get application link")
	}
	return withLink(u, link), nil
}

// Get returns the user with id as c sees it.
func (s *Service) Get(ctx context.Context, c model.Caller, id string) (User, error) {
	u, err := visible(ctx, s.store, c, id)
	if err != nil {
		return User{}, err
	}
	return s.describeOne(ctx, c, u)
}

// GetBy returns the user whose field (one of the storage.UserBy* constants: email,
// phone_number, username, external_user_id) equals value once normalised.
func (s *Service) GetBy(ctx context.Context, c model.Caller, field, value string) (User, error) {
	v, err := normalizeField(field, value)
	if err != nil {
		return User{}, err
	}
	u, err := s.store.GetUserBy(ctx, c.TenantID, field, v)
	if err != nil {
		return User{}, lookupError(err, "get user by "+field)
	}
	out, err := withAppData(ctx, s.store, c, u)
	if err != nil {
		return User{}, err
	}
	return s.describeOne(ctx, c, out)
}

func normalizeField(field, value string) (string, error) {
	var v string
	var err error
	switch field {
	case storage.UserByEmail:
		v, err = NormalizeEmail(value)
	case storage.UserByPhone:
		v, err = NormalizePhone(value)
	case storage.UserByUsername:
		v, err = NormalizeUsername(value)
	case storage.UserByExternalUserID:
		v, err = normalizeExternalID(value)
	default:
		return "", fault.Validation("users can be looked up by email, phone_number, username or external_user_id, not " + clip(field))
	}
	if err != nil {
		return "", fault.Validation(err.Error())
	}
	return v, nil
}
