package auth

import (
	"context"
	"errors"
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
// identifier's unspent codes of the purpose, stores rec as the new code, and records the send
// as suppressed. A decoy that skipped the transaction would answer sooner than a real send,
// and its timing would tell an unknown user from a known one. For the same reason, when the
// user is unknown it makes the indexed read a known user's lookup makes (of their link to the
// application), and for an email or SMS send it writes the row a real message would, stored
// as already handled so that no worker picks it up and garbage collection removes it.
//
// rec carries what the caller decides: purpose, channel, identifier, user, expiry, attempts,
// and whether it is stored spent; ev, the audit event a real send would record (its method
// and details), which is recorded as suppressed. The code's secret is a fresh 256-bit one that
// is never revealed, so nothing presented can match it: an unspent decoy code answers
// guesses, counts failures and expires exactly as a real code does.
func (s *Service) decoySend(ctx context.Context, c model.Caller, rec model.OneTimeCode, ev event, now time.Time) error {
	rec.ID, rec.TenantID, rec.AppID, rec.ClientID, rec.CreatedAt = model.NewID(), c.TenantID, c.AppID, c.ClientID, now
	rec.CodeHash = s.keys.HashCode(rec.ID, secret.NewLinkCode())
	if rec.UserID == "" {
		// Finds nothing, as it must: the id is fresh.
		if _, err := s.store.GetAppUser(ctx, c.TenantID, c.AppID, model.NewID()); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fault.Wrap(err, "get app user")
		}
	}
	var msg *model.OutboxMessage
	if rec.Channel == model.ChannelEmail || rec.Channel == model.ChannelSMS {
		msg = &model.OutboxMessage{ID: model.NewID(), TenantID: c.TenantID, Kind: model.MessageSuppressed,
			NextAttemptAt: now, DeliveredAt: &now, CreatedAt: now}
	}
	ev.typ, ev.userID, ev.err = model.EventCodeSent, rec.UserID, errSendSuppressed
	if err := s.storeCode(ctx, c, rec, msg, ev, now); err != nil {
		return fault.Wrap(err, "store code")
	}
	return nil
}

// spentDecoy is a decoy code stored already spent: for flows whose decoy answer cannot lead
// back to a stored code (links name random ids), so that nothing can ever redeem it.
func spentDecoy(purpose, channel, idType, identifier string, now time.Time) model.OneTimeCode {
	return model.OneTimeCode{Purpose: purpose, Channel: channel, IdentifierType: idType, Identifier: identifier,
		ExpiresAt: now.Add(time.Minute), ConsumedAt: &now}
}
