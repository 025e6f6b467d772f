package auth

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
)

// errSendSuppressed is the audit reason of a send answered with a decoy; callers never see it.
var errSendSuppressed = fault.New(fault.NotFound, "send_suppressed", "send suppressed: unknown or inactive user")

// DecoySend does, for a send answered with a decoy (enumeration protection, the user unknown
// or inactive), the work of a real send: the caller has made the reads a known user's send
// makes (the lookups find nothing, or find the user and stop) and rendered msg from the same
// template as a real message, and DecoySend writes in one transaction what a real send writes:
// it spends the identifier's unspent codes of the purpose, stores rec as the new code, queues
// the message and records the send as suppressed. Any work a decoy skipped would answer
// sooner than a real send, and its timing would tell an unknown user from a known one.
//
// The message is queued as a stand-in: kind suppressed and with no recipient. The outbox
// worker leases it and marks it delivered as it does a real message, through a sender that
// sends nothing (delivery.Discard), so that the work that follows a send does not tell a decoy
// either; garbage collection removes it with the delivered messages. Its rendered body keeps
// the row the size of a real one and carries only a code that redeems nothing. A send on a
// channel that delivers a message must pass the message: a decoy without one would be the
// fast path this function exists to close.
//
// rec carries what the caller decides: purpose, channel, identifier, user, expiry and
// attempts, as a real send's code would have them; ev, the audit event a real send would record (its method
// and details), which is recorded as suppressed. The code's secret is a fresh 256-bit one that
// is never revealed, so nothing presented can match it: an unspent decoy code answers
// guesses, counts failures and expires exactly as a real code does.
func (s *Service) DecoySend(ctx context.Context, c model.Caller, rec model.OneTimeCode, msg *model.OutboxMessage, ev Event, now time.Time) error {
	rec.ID, rec.TenantID, rec.AppID, rec.ClientID, rec.CreatedAt = model.NewID(), c.TenantID, c.AppID, c.ClientID, now
	rec.CodeHash = s.keys.HashCode(rec.ID, secret.NewLinkCode())
	delivers := rec.Channel == model.ChannelEmail || rec.Channel == model.ChannelSMS
	if delivers != (msg != nil) {
		return fault.Wrap(errors.New("a decoy must render the message its channel delivers, and only that"), "decoy send")
	}
	if msg != nil {
		stand := *msg
		stand.Kind, stand.To = model.MessageSuppressed, ""
		msg = &stand
	}
	ev.Type, ev.UserID, ev.Err = model.EventCodeSent, rec.UserID, errSendSuppressed
	if err := s.StoreCode(ctx, c, rec, msg, ev, now); err != nil {
		return fault.Wrap(err, "store code")
	}
	if msg != nil {
		// A real send wakes the outbox worker; so does a decoy, for its stand-in.
		s.opts.NotifyOutbox()
	}
	return nil
}

// DecoyPhonePrefix counts, for a decoy of an SMS send whose number a real send would take from
// the profile, the phone-prefix hit a real send makes. It counts under a key no real number
// has, so that decoys spend no real range's budget, and ignores the limit: a decoy is answered
// as sent.
func (s *Service) DecoyPhonePrefix(ctx context.Context, c model.Caller, lim model.RateLimits, now time.Time) error {
	key := "send:prefix:" + c.TenantID + ":" + c.AppID + ":decoy"
	err := s.Hit(ctx, s.store, SendLimit{Key: key, Limit: lim.SendsPerPhonePrefix, What: "decoy"}, now, time.Hour)
	if err != nil && !fault.Is(err, fault.RateLimited) {
		return err
	}
	return nil
}
