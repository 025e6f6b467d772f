package admins

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/roles"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// InviteTTL is how long an invitation's link works.
const InviteTTL = 72 * time.Hour

var (
	errBadInvite      = fault.New(fault.Invalid, "invalid_invitation", "this invitation is not valid: it was used, revoked or has expired; ask an administrator for a new one")
	errInviteNotFound = fault.New(fault.NotFound, "invitation_not_found", "no open invitation has that id")
)

// Invite invites the owner of email to become an administrator of the administrator's tenant:
// it stores the invitation (its secret only as a keyed hash) and queues, in the same
// transaction, an email with the one-time link (linkPrefix followed by the token) to the
// address, delivered like every sign-in message. The inviting administrator is recorded on the
// invitation and in the audit log.
func (s *Service) Invite(ctx context.Context, a Admin, email, linkPrefix string, attrs model.ClientAttributes) (model.AdminInvite, error) {
	norm, err := directory.NormalizeIdentifier(model.IdentifierEmail, email)
	if err != nil || norm == "" {
		return model.AdminInvite{}, fault.Validation("email must be an email address")
	}
	t, err := s.Tenant(ctx, a.Caller.TenantID)
	if err != nil {
		return model.AdminInvite{}, err
	}
	now := s.core.Now()
	code := secret.NewLinkCode()
	inv := model.AdminInvite{ID: model.NewID(), TenantID: a.Caller.TenantID, Email: norm, InvitedBy: a.UserID,
		InvitedByEmail: a.Email, CreatedAt: now, ExpiresAt: now.Add(InviteTTL)}
	inv.TokenHash = s.core.Keys().HashCode("admin-invite:"+inv.ID, code)
	subject, text, html, err := delivery.RenderAdminInviteEmail(delivery.AdminInvite{Texts: s.core.Texts(), Language: t.DefaultLanguage,
		Tenant: t.Name, Inviter: a.Email, URL: linkPrefix + inv.TenantID + "." + inv.ID + "." + code, ExpiresInHours: int(InviteTTL.Hours())})
	if err != nil {
		return model.AdminInvite{}, fault.Wrap(err, "render invitation")
	}
	msg, err := delivery.SealMessage(s.core.Keys(), model.OutboxMessage{ID: model.NewID(), TenantID: inv.TenantID, Kind: model.MessageEmail,
		To: norm, Subject: subject, Text: text, HTML: html, NextAttemptAt: now, CreatedAt: now})
	if err != nil {
		return model.AdminInvite{}, fault.Wrap(err, "seal invitation")
	}
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		if err := tx.CreateAdminInvite(ctx, inv); err != nil {
			return err
		}
		return tx.EnqueueMessage(ctx, msg)
	})
	if err != nil {
		return model.AdminInvite{}, fault.Wrap(err, "create invitation")
	}
	s.core.Options().NotifyOutbox()
	_ = s.Record(ctx, a, "admin.invite", "", attrs, map[string]any{"invite_id": inv.ID, "email": norm})
	return inv, nil
}

// Invites lists the tenant's invitations, newest first.
func (s *Service) Invites(ctx context.Context, a Admin) ([]model.AdminInvite, error) {
	list, err := s.store.ListAdminInvites(ctx, a.Caller.TenantID)
	if err != nil {
		return nil, fault.Wrap(err, "list invitations")
	}
	return list, nil
}

// RevokeInvite ends an invitation that was not accepted yet: its link stops working.
func (s *Service) RevokeInvite(ctx context.Context, a Admin, id string, attrs model.ClientAttributes) error {
	if !model.ValidID(id) {
		return errInviteNotFound
	}
	ok, err := s.store.RevokeAdminInvite(ctx, a.Caller.TenantID, id, s.core.Now())
	if err != nil {
		return fault.Wrap(err, "revoke invitation")
	}
	if !ok {
		return errInviteNotFound
	}
	return s.Record(ctx, a, "admin.invite_revoke", "", attrs, map[string]any{"invite_id": id})
}

// CheckInvite parses an invitation's token and returns the invitation when it is still open.
func (s *Service) CheckInvite(ctx context.Context, token string) (model.AdminInvite, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || !model.ValidID(parts[0]) || !model.ValidID(parts[1]) || parts[2] == "" {
		return model.AdminInvite{}, errBadInvite
	}
	inv, err := s.store.GetAdminInvite(ctx, parts[0], parts[1])
	if errors.Is(err, storage.ErrNotFound) {
		return model.AdminInvite{}, errBadInvite
	}
	if err != nil {
		return model.AdminInvite{}, fault.Wrap(err, "get invitation")
	}
	if !inv.Open(s.core.Now()) || !secret.Equal(inv.TokenHash, s.core.Keys().HashCode("admin-invite:"+inv.ID, parts[2])) {
		return model.AdminInvite{}, errBadInvite
	}
	return inv, nil
}

// AcceptInvite spends the invitation and makes its address an administrator's: the user who
// has the address (or a new one), made a user of the management application, with its admin
// role. The link was emailed to the address, so following it proves the address as a magic
// link does, and the acceptance signs them in: the session's factor is the email link, which
// counts as the tenant's email sign-in method. The returned session id is the portal session's.
func (s *Service) AcceptInvite(ctx context.Context, token string, attrs model.ClientAttributes) (Admin, string, error) {
	inv, err := s.CheckInvite(ctx, token)
	if err != nil {
		return Admin{}, "", err
	}
	if err := s.offers(ctx, inv.TenantID, model.AdminSignInEmailCode); err != nil {
		return Admin{}, "", fault.New(fault.Forbidden, "signin_method_not_offered",
			"this tenant's admin portal does not sign anyone in by email, so an invitation cannot; ask an administrator to turn email codes on while you set up a passkey")
	}
	c, err := s.ManagementCaller(ctx, inv.TenantID)
	if err != nil {
		return Admin{}, "", err
	}
	u, err := s.directory.FindByIdentifier(ctx, inv.TenantID, model.IdentifierEmail, inv.Email)
	if errors.Is(err, storage.ErrNotFound) || fault.Is(err, fault.NotFound) {
		var created directory.User
		created, err = s.directory.Create(ctx, c, directory.CreateInput{Email: inv.Email})
		u = created.User
	}
	if err != nil {
		return Admin{}, "", err
	}
	if err := s.link(ctx, c, u.ID); err != nil {
		return Admin{}, "", err
	}
	// The invitation is spent in one statement before the role is given: of two acceptances
	// (or an acceptance and a revocation) exactly one wins.
	ok, err := s.store.AcceptAdminInvite(ctx, inv.TenantID, inv.ID, u.ID, s.core.Now())
	if err != nil {
		return Admin{}, "", fault.Wrap(err, "accept invitation")
	}
	if !ok {
		return Admin{}, "", errBadInvite
	}
	role, _, err := s.adminRole(ctx, c, true)
	if err != nil {
		return Admin{}, "", err
	}
	if err := s.roles.Assign(ctx, c, c.AppID, role.ID, roles.EntityUser, []string{u.ID}); err != nil {
		return Admin{}, "", err
	}
	var is auth.Issued
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		var err error
		is, err = s.core.RecordLogin(ctx, tx, auth.Grant{Caller: c, User: u, Method: model.AMRMagicLink,
			Login: auth.Login{ClientAttributes: attrs}}, s.core.Now())
		return err
	})
	if err != nil {
		return Admin{}, "", auth.AsFault(err, "sign in the invited administrator")
	}
	a, sid, err := s.finishSignIn(ctx, c, is.SessionID)
	if err != nil {
		return Admin{}, "", err
	}
	_ = s.Record(ctx, a, "admin.invite_accept", u.ID, attrs, map[string]any{"invite_id": inv.ID,
		"invited_by_user_id": inv.InvitedBy, "invited_by_email": inv.InvitedByEmail})
	return a, sid, nil
}
