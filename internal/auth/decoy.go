package auth

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// errSendSuppressed is the audit reason of a send answered with a decoy; callers never see it.
var errSendSuppressed = fault.New(fault.NotFound, "send_suppressed", "send suppressed: unknown or inactive user")

// decoySend does, for a send answered with a decoy (enumeration protection, the user unknown
// or inactive), the database work of a real send in one write transaction: it spends the
// identifier's unspent codes of the purpose, stores a code that is spent already, so that
// nothing can redeem it, and records the send as suppressed. A decoy that skipped the
// transaction would answer sooner than a real send, and its timing would tell an unknown
// user from a known one. Only the message (queued by a real email or SMS send) is missing.
func (s *Service) decoySend(ctx context.Context, c model.Caller, purpose, channel, idType, identifier string, attrs model.ClientAttributes, now time.Time) error {
	rec := model.OneTimeCode{
		ID: model.NewID(), TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID,
		Purpose: purpose, Channel: channel, IdentifierType: idType, Identifier: identifier,
		ExpiresAt: now.Add(time.Minute), ConsumedAt: &now, CreatedAt: now,
	}
	rec.CodeHash = s.keys.HashCode(rec.ID, secret.NewLinkCode())
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.SpendCodes(ctx, c.TenantID, c.AppID, purpose, identifier, now); err != nil {
			return err
		}
		if err := tx.CreateCode(ctx, rec); err != nil {
			return err
		}
		return s.record(ctx, tx, c, event{typ: model.EventCodeSent, method: channel, attrs: attrs,
			err: errSendSuppressed, details: map[string]any{"purpose": purpose}}, now)
	})
	if err != nil {
		return fault.Wrap(err, "store code")
	}
	return nil
}
