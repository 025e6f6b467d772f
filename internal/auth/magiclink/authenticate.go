package magiclink

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

var (
	errInvalidLink  = fault.New(fault.Invalid, fault.CodeInvalidCredentials, "invalid magic link code, or the link was already used")
	errLinkExpired  = fault.New(fault.Invalid, CodeLinkExpired, "magic link expired")
	errLinkUserGone = fault.New(fault.Invalid, fault.CodeUserNotFound, "user not found")
)

// AuthenticateMagicLink redeems a link code. The code is "<record id>.<secret>": the id finds
// the record without storing the secret, whose keyed hash is compared in constant time. A wrong
// secret or request id counts against the link, which is spent after linkMaxFailures. Success,
// the session and the refresh token are written in one transaction; the JWTs are signed after.
func (s *Service) AuthenticateMagicLink(ctx context.Context, c model.Caller, req MagicLinkAuthenticate) (auth.TokenResponse, error) {
	if req.Code == "" {
		return auth.TokenResponse{}, fault.Validation("code is required")
	}
	id, linkSecret, ok := strings.Cut(req.Code, ".")
	if !ok || len(req.Code) > auth.MaxCodeLen || !model.ValidID(id) || linkSecret == "" {
		return auth.TokenResponse{}, errInvalidLink
	}
	now := s.core.Now()
	var is auth.Issued
	var failure error
	var userID string
	method := model.AMRMagicLink
	attempt := func(tx auth.AttemptTx) error {
		failure, userID = nil, ""
		code, outcome, err := s.redeemLink(ctx, tx, c, id, linkSecret, req.RequestID, now)
		if err != nil {
			return err
		}
		method, userID = linkAMR(code.Channel), code.UserID
		switch outcome {
		case auth.OutcomeExpired:
			failure = errLinkExpired
			return nil
		case auth.OutcomeOK:
		default:
			failure = errInvalidLink
			return nil
		}
		user, link, created, err := s.core.UserForCode(ctx, tx, c, code, now)
		if errors.Is(err, storage.ErrNotFound) {
			failure = errLinkUserGone // deleted since the send; the link stays spent
			return nil
		} else if err != nil {
			return err
		}
		// A link proves control of the address it went to, not of one the user has since moved to.
		if code.Channel == model.ChannelEmail && user.Email != code.Destination {
			failure = errInvalidLink
			return nil
		}
		is, err = s.core.RecordLogin(ctx, tx, auth.Grant{Caller: c, User: user, Link: link, Method: linkAMR(code.Channel), Login: req.Login,
			CallersWord: code.Channel == model.ChannelDirect, NewUser: created}, now)
		return err
	}
	// A wrong guess's count commits even if its audit event cannot be written.
	failure, err := s.core.SettleAttempt(ctx, func(tx auth.AttemptTx) (error, error) {
		err := attempt(tx)
		return failure, err
	}, func(st storage.Store, failure error) error {
		return s.core.Record(ctx, st, c, auth.LoginEvent(method, userID, req.ClientAttributes, failure, is), now)
	})
	if err != nil {
		return auth.TokenResponse{}, auth.AsFault(err, "authenticate magic link")
	}
	if failure != nil {
		return auth.TokenResponse{}, failure
	}
	return s.core.Sign(ctx, is, req.Claims, now)
}

// redeemLink checks a presented link against its record and records the result atomically, so
// that of concurrent presentations of one link exactly one succeeds. A record of another
// application or purpose is left untouched and reported as invalid, like a missing one.
func (s *Service) redeemLink(ctx context.Context, tx storage.Store, c model.Caller, id, linkSecret, requestID string, now time.Time) (model.OneTimeCode, auth.CodeOutcome, error) {
	var code model.OneTimeCode
	outcome := auth.OutcomeInvalid
	err := tx.UpdateCode(ctx, c.TenantID, id, func(cur model.OneTimeCode) (model.OneTimeCode, error) {
		code, outcome = cur, auth.OutcomeInvalid
		if cur.Purpose != model.PurposeMagicLink || cur.AppID != c.AppID || cur.ConsumedAt != nil {
			return cur, auth.ErrNoChange
		}
		hashOK := secret.Equal(cur.CodeHash, s.keys.HashCode(cur.ID, linkSecret))
		ridOK := cur.RequestID == "" || secret.Equal([]byte(cur.RequestID), []byte(requestID))
		switch {
		case !now.Before(cur.ExpiresAt):
			// Only the holder of the secret learns that the link expired.
			if hashOK {
				outcome = auth.OutcomeExpired
			}
			return cur, auth.ErrNoChange
		case hashOK && ridOK:
			outcome = auth.OutcomeOK
			cur.ConsumedAt = &now
		default:
			cur.Failures++
			if cur.Failures >= cur.MaxFailures {
				cur.ConsumedAt = &now
			}
		}
		code = cur
		return cur, nil
	})
	if errors.Is(err, auth.ErrNoChange) || errors.Is(err, storage.ErrNotFound) {
		err = nil
	}
	return code, outcome, err
}

// linkAMR is eml for a link Latchkey emailed. A direct link was delivered by the caller, so it
// proves no mailbox: like a direct passcode it counts as RFC 8176's otp and verifies nothing.
func linkAMR(channel string) string {
	if channel == model.ChannelDirect {
		return model.AMRTOTP
	}
	return model.AMRMagicLink
}
