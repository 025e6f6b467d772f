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
		code, cu, outcome, err := s.redeemLink(ctx, tx, c, id, linkSecret, req.RequestID, now)
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
		// The user and their link came with the code (CodeWithUser).
		user, link, created, err := s.core.UserForCodeRead(ctx, tx, c, code, cu, now)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			failure = errLinkUserGone // deleted since the send; the link stays spent
			return nil
		case fault.Is(err, fault.Forbidden):
			// Not active (disabled since the send): the link stays spent, as a passcode
			// does, so that enabling the user again does not bring it back, and the refusal
			// is recorded.
			failure = err
			return nil
		case err != nil:
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

// redeemLink checks a presented link against its record, read by id with the record's user
// (CodeWithUser), and records the result with conditional writes, so that of concurrent
// presentations of one link exactly one succeeds: the right secret spends the record only if
// it is still unspent (ConsumeCode), and a wrong one counts against it only then, spending it
// at its maximum (FailCode). A record of another application or purpose is left untouched
// and reported as invalid, like a missing or spent one.
func (s *Service) redeemLink(ctx context.Context, tx storage.Store, c model.Caller, id, linkSecret, requestID string, now time.Time) (model.OneTimeCode, storage.CodeUser, auth.CodeOutcome, error) {
	cur, cu, err := tx.CodeWithUser(ctx, c.TenantID, c.AppID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return model.OneTimeCode{}, storage.CodeUser{}, auth.OutcomeInvalid, nil
	}
	if err != nil || cur.Purpose != model.PurposeMagicLink || cur.AppID != c.AppID || cur.ConsumedAt != nil {
		return cur, cu, auth.OutcomeInvalid, err
	}
	hashOK := secret.Equal(cur.CodeHash, s.keys.HashCode(cur.ID, linkSecret))
	ridOK := cur.RequestID == "" || secret.Equal([]byte(cur.RequestID), []byte(requestID))
	switch {
	case !now.Before(cur.ExpiresAt):
		// Only the holder of the secret learns that the link expired.
		if hashOK {
			return cur, cu, auth.OutcomeExpired, nil
		}
		return cur, cu, auth.OutcomeInvalid, nil
	case hashOK && ridOK:
		// A concurrent presentation that spent the record first leaves this one invalid.
		ok, err := tx.ConsumeCode(ctx, c.TenantID, cur.ID, now)
		if err != nil || !ok {
			return cur, cu, auth.OutcomeInvalid, err
		}
		return cur, cu, auth.OutcomeOK, nil
	}
	_, _, _, err = tx.FailCode(ctx, c.TenantID, cur.ID, now)
	return cur, cu, auth.OutcomeInvalid, err
}

// linkAMR is eml for a link Latchkey emailed. A direct link was delivered by the caller, so it
// proves no mailbox: like a direct passcode it counts as RFC 8176's otp and verifies nothing.
func linkAMR(channel string) string {
	if channel == model.ChannelDirect {
		return model.AMRTOTP
	}
	return model.AMRMagicLink
}
