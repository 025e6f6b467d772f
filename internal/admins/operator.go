package admins

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// The deployment's operator (whoever runs latchkey init, and so holds the database and the
// master key) may create tenants from the portal. They sign in with a one-time link that
// `latchkey init --operator-link` prints: it adds no power they lack. The redeemed link is the
// operator's session, which ends at sign-out, when a new link is made, or MaxAge after it
// began. The operator sees the list of tenants and creates them; nothing else of a tenant.

// OperatorLinkTTL is how long an operator link works before it is redeemed.
const OperatorLinkTTL = time.Hour

var (
	errBadOperatorLink = fault.New(fault.Invalid, "invalid_operator_link", "this operator link is not valid: it was used, replaced or has expired; run latchkey init --operator-link for a new one")
	// ErrNotOperator is a browser that holds no operator session.
	ErrNotOperator = fault.New(fault.Unauthenticated, "operator_signed_out", "sign in as the operator with a link from latchkey init --operator-link")
)

// NewOperatorLink makes the token of a new operator link, ending every earlier link and
// operator session.
func (s *Service) NewOperatorLink(ctx context.Context) (string, error) {
	now := s.core.Now()
	code := secret.NewLinkCode()
	l := model.OperatorLink{ID: model.NewID(), CreatedAt: now, ExpiresAt: now.Add(OperatorLinkTTL)}
	l.TokenHash = s.core.Keys().HashCode("operator-link:"+l.ID, code)
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.EndOperatorLinks(ctx, now); err != nil {
			return err
		}
		return tx.CreateOperatorLink(ctx, l)
	})
	if err != nil {
		return "", fault.Wrap(err, "create operator link")
	}
	return l.ID + "." + code, nil
}

// CheckOperatorLink reports whether an operator link's token can still be redeemed, and
// returns its id.
func (s *Service) CheckOperatorLink(ctx context.Context, token string) (string, error) {
	id, code, ok := strings.Cut(token, ".")
	if !ok || !model.ValidID(id) || code == "" {
		return "", errBadOperatorLink
	}
	l, err := s.store.GetOperatorLink(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return "", errBadOperatorLink
	}
	if err != nil {
		return "", fault.Wrap(err, "get operator link")
	}
	if l.RedeemedAt != nil || l.EndedAt != nil || !s.core.Now().Before(l.ExpiresAt) ||
		!secret.Equal(l.TokenHash, s.core.Keys().HashCode("operator-link:"+l.ID, code)) {
		return "", errBadOperatorLink
	}
	return l.ID, nil
}

// RedeemOperatorLink spends the link and returns the id of the operator session it begins.
func (s *Service) RedeemOperatorLink(ctx context.Context, token string) (string, error) {
	id, err := s.CheckOperatorLink(ctx, token)
	if err != nil {
		return "", err
	}
	ok, err := s.store.RedeemOperatorLink(ctx, id, s.core.Now())
	if err != nil {
		return "", fault.Wrap(err, "redeem operator link")
	}
	if !ok {
		return "", errBadOperatorLink
	}
	return id, nil
}

// OperatorSession checks an operator session: its link was redeemed, has not been ended, and
// was redeemed less than MaxAge ago.
func (s *Service) OperatorSession(ctx context.Context, id string) error {
	if !model.ValidID(id) {
		return ErrNotOperator
	}
	l, err := s.store.GetOperatorLink(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return ErrNotOperator
	}
	if err != nil {
		return fault.Wrap(err, "get operator link")
	}
	if l.RedeemedAt == nil || l.EndedAt != nil || !s.core.Now().Before(l.RedeemedAt.Add(s.opts.MaxAge)) {
		return ErrNotOperator
	}
	return nil
}

// EndOperatorSessions signs the operator out everywhere.
func (s *Service) EndOperatorSessions(ctx context.Context) error {
	_, err := s.store.EndOperatorLinks(ctx, s.core.Now())
	if err != nil {
		return fault.Wrap(err, "end operator sessions")
	}
	return nil
}

// Tenants lists the deployment's tenants, for the operator.
func (s *Service) Tenants(ctx context.Context) ([]model.Tenant, error) {
	list, err := s.store.ListTenants(ctx)
	if err != nil {
		return nil, fault.Wrap(err, "list tenants")
	}
	return list, nil
}

// RecordTenantCreated writes the creation of a tenant by the operator to the new tenant's
// audit log, naming the operator session by a reference that does not reveal its id.
func (s *Service) RecordTenantCreated(ctx context.Context, operatorSession, tenantID string, attrs model.ClientAttributes) error {
	c, err := s.ManagementCaller(ctx, tenantID)
	if err != nil {
		return err
	}
	ref := "op_" + base64.RawURLEncoding.EncodeToString(s.core.Keys().HashCode("operator-session-ref", operatorSession)[:12])
	return s.Record(ctx, Admin{Email: "operator", Caller: c}, "tenant.create", "", attrs,
		map[string]any{"operator_session_ref": ref, "tenant_id": tenantID})
}
