package admins

import (
	"context"
	"errors"
	"strings"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/roles"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// PurposeSetup is the purpose of a first administrator's one-time code.
const PurposeSetup = "admin_setup"

// setupIdentifier is the identifier every setup code of a tenant is stored under, so that a
// new link spends the ones before it.
const setupIdentifier = "admin:setup"

var errBadLink = fault.New(fault.Invalid, "invalid_setup_link", "this set-up link is not valid: it was used, replaced or has expired; run latchkey init --admin-link for a new one")

// NewSetupLink makes the one-time token of a link that sets up an administrator of the tenant
// and spends any earlier one. It is for the operator (latchkey init, the first start), who
// already holds the database and the master key: the link adds no power they lack.
func (s *Service) NewSetupLink(ctx context.Context, tenantID string) (string, error) {
	c, err := s.ManagementCaller(ctx, tenantID)
	if err != nil {
		return "", err
	}
	now := s.core.Now()
	code := secret.NewLinkCode()
	rec := model.OneTimeCode{
		ID: model.NewID(), TenantID: tenantID, AppID: c.AppID, ClientID: c.ClientID, Purpose: PurposeSetup,
		Channel: model.ChannelDirect, IdentifierType: "admin", Identifier: setupIdentifier, MaxFailures: 1,
		ExpiresAt: now.Add(SetupLinkTTL), CreatedAt: now,
	}
	rec.CodeHash = s.core.Keys().HashCode(rec.ID, code)
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.SpendCodes(ctx, tenantID, c.AppID, PurposeSetup, setupIdentifier, now); err != nil {
			return err
		}
		return tx.CreateCode(ctx, rec)
	})
	if err != nil {
		return "", fault.Wrap(err, "create setup link")
	}
	return tenantID + "." + rec.ID + "." + code, nil
}

// SetupLink is a parsed, still valid setup token.
type SetupLink struct {
	TenantID string
	codeID   string
}

// CheckSetupLink parses a setup token and reports whether it can still be used.
func (s *Service) CheckSetupLink(ctx context.Context, token string) (SetupLink, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || !model.ValidID(parts[0]) || !model.ValidID(parts[1]) || parts[2] == "" {
		return SetupLink{}, errBadLink
	}
	rec, err := s.store.GetCode(ctx, parts[0], parts[1])
	if errors.Is(err, storage.ErrNotFound) {
		return SetupLink{}, errBadLink
	}
	if err != nil {
		return SetupLink{}, fault.Wrap(err, "get setup code")
	}
	now := s.core.Now()
	if rec.Purpose != PurposeSetup || rec.ConsumedAt != nil || !now.Before(rec.ExpiresAt) ||
		!secret.Equal(rec.CodeHash, s.core.Keys().HashCode(rec.ID, parts[2])) {
		return SetupLink{}, errBadLink
	}
	return SetupLink{TenantID: parts[0], codeID: rec.ID}, nil
}

// RedeemSetupLink spends the link and makes the owner of email an administrator: a user of
// the management application (created when no user has the address) holding its admin role,
// which is created when missing. They then sign in like any administrator, by a code sent to
// that address, which proves it is theirs.
func (s *Service) RedeemSetupLink(ctx context.Context, token, email string, attrs model.ClientAttributes) (model.User, error) {
	link, err := s.CheckSetupLink(ctx, token)
	if err != nil {
		return model.User{}, err
	}
	// The new administrator signs in by an email code: a tenant that no longer offers it must
	// not spend the link on an administrator who could not sign in.
	if err := s.offers(ctx, link.TenantID, model.AdminSignInEmailCode); err != nil {
		return model.User{}, err
	}
	norm, err := directory.NormalizeIdentifier(model.IdentifierEmail, email)
	if err != nil || norm == "" {
		return model.User{}, fault.Validation("email must be an email address")
	}
	c, err := s.ManagementCaller(ctx, link.TenantID)
	if err != nil {
		return model.User{}, err
	}
	ok, err := s.store.ConsumeCode(ctx, link.TenantID, link.codeID, s.core.Now())
	if err != nil {
		return model.User{}, fault.Wrap(err, "consume setup code")
	}
	if !ok {
		return model.User{}, errBadLink
	}
	u, err := s.directory.FindByIdentifier(ctx, link.TenantID, model.IdentifierEmail, norm)
	if errors.Is(err, storage.ErrNotFound) || fault.Is(err, fault.NotFound) {
		var created directory.User
		created, err = s.directory.Create(ctx, c, directory.CreateInput{Email: norm})
		u = created.User
	}
	if err != nil {
		return model.User{}, err
	}
	// Only users of the management application receive its sign-in codes.
	if err := s.link(ctx, c, u.ID); err != nil {
		return model.User{}, err
	}
	role, _, err := s.adminRole(ctx, c, true)
	if err != nil {
		return model.User{}, err
	}
	if err := s.roles.Assign(ctx, c, c.AppID, role.ID, roles.EntityUser, []string{u.ID}); err != nil {
		return model.User{}, err
	}
	_ = s.Record(ctx, Admin{UserID: u.ID, Email: u.Email, Caller: c}, "admin.setup", u.ID, attrs, nil)
	return u, nil
}

// link makes the user one of the management application's users, as a login through it would.
func (s *Service) link(ctx context.Context, c model.Caller, userID string) error {
	_, err := s.store.GetAppUser(ctx, c.TenantID, c.AppID, userID)
	if err == nil {
		return nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return fault.Wrap(err, "get app user")
	}
	if _, err := auth.EnsureLink(ctx, s.store, c, userID, model.AppUser{}, false, true, s.core.Now()); err != nil {
		return fault.Wrap(err, "link user")
	}
	return nil
}
