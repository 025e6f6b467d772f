package otp

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

var (
	errInvalidCode = fault.New(fault.Invalid, fault.CodeInvalidCredentials, "invalid passcode")
	errCodeExpired = fault.New(fault.Invalid, fault.CodeOTPExpired, "passcode expired")
)

// AuthenticateOTP redeems a passcode. Every wrong code counts against the code; at the
// maxFailures of the code's channel (email_otp or sms preferences) the code is spent and the
// identifier locked for that channel's lockoutDuration. Wrong codes also count against the
// identifier across codes (rate_limits.failuresPerIdentifier). Success, the session and the
// refresh token are written in one transaction; the JWTs are signed after it commits.
func (s *Service) AuthenticateOTP(ctx context.Context, c model.Caller, req OTPAuthenticate) (auth.TokenResponse, error) {
	problems := auth.ValidateIdentifier(req.IdentifierType, req.Identifier)
	if req.Passcode == "" {
		problems = append(problems, "passcode is required")
	}
	if len(problems) > 0 {
		return auth.TokenResponse{}, fault.Validation(problems...)
	}
	norm, err := directory.NormalizeIdentifier(req.IdentifierType, req.Identifier)
	if err != nil {
		return auth.TokenResponse{}, fault.Validation("identifier: " + err.Error())
	}
	identifier := req.IdentifierType + ":" + norm
	now := s.core.Now()

	var is auth.Issued
	var failure error
	var method, userID string
	attempt := func(tx auth.AttemptTx) error {
		failure, method, userID = nil, "", ""
		app, err := tx.GetApplication(ctx, c.TenantID, c.AppID)
		if err != nil {
			return err
		}
		all := app.Preferences.Normalized()
		var outcome auth.CodeOutcome
		// One statement reads the code and whether the identifier, or the user the code
		// names, is locked. Failures count against the user when the code names one, so
		// that their email and phone number share one budget; otherwise against the
		// identifier. The identifier is locked too: once its code is spent, the next attempt
		// finds no code that names the user.
		att, lock, locked, err := auth.CheckCode(ctx, tx, c, model.PurposeOTP, "otp:", identifier, now)
		if err != nil {
			return err
		}
		code := att.Code
		if !att.Found {
			err = storage.ErrNotFound
		}
		// The lockout lasts as long as the preferences of the code's channel say; with no
		// code, those of the channel the identifier would use.
		prefs := auth.OTPPrefs(all, code.Channel, req.IdentifierType)
		method, userID = amrFor(code.Channel), code.UserID
		budget := auth.Budget{Limits: all.Limits, Minutes: prefs.LockoutDuration}
		lock.Policy = budget
		if locked != nil {
			failure = locked
			return nil
		}
		switch {
		case errors.Is(err, storage.ErrNotFound):
			// No code to check: still a failed guess against this identifier.
			outcome = auth.OutcomeInvalid
		case err != nil:
			return err
		default:
			if outcome, err = s.checkCode(ctx, tx, code, req, now); err != nil {
				return err
			}
		}
		switch outcome {
		case auth.OutcomeInvalid:
			failure = errInvalidCode
			if locked, err := lock.Fail(ctx, tx, now); err != nil || locked != nil {
				failure = locked
				return err
			}
			return nil
		case auth.OutcomeLockedOut:
			// The code took its last wrong guess.
			failure, err = lock.Lock(ctx, tx, budget.Duration(), now)
			return err
		case auth.OutcomeExpired:
			failure = errCodeExpired
			return nil
		}
		// The user and their link came with the code (CodeAttempt).
		user, link, created, err := s.core.UserForCodeRead(ctx, tx, c, code, att.CodeUser, now)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			// Deleted since the send: the code stays spent.
			failure = fault.New(fault.Invalid, fault.CodeUserNotFound, "user not found")
			return nil
		case fault.Is(err, fault.Forbidden):
			// Not active: the code stays spent and the refusal is recorded.
			failure = err
			return nil
		case err != nil:
			return err
		}
		if err := lock.Clear(ctx, tx); err != nil {
			return err
		}
		is, err = s.core.RecordLogin(ctx, tx, auth.Grant{
			Caller: c, User: user, Link: link, Method: amrFor(code.Channel), Login: req.Login,
			Unverified: !provesProfile(code, user), Approval: code.ApprovalData,
			CallersWord: code.Channel == model.ChannelDirect, NewUser: created,
		}, now)
		return err
	}
	// A wrong guess's count commits even if its audit event cannot be written.
	failure, err = s.core.SettleAttempt(ctx, func(tx auth.AttemptTx) (error, error) {
		err := attempt(tx)
		return failure, err
	}, func(st storage.Store, failure error) error {
		return s.core.Record(ctx, st, c, auth.LoginEvent(method, userID, req.ClientAttributes, failure, is), now)
	})
	if err != nil {
		return auth.TokenResponse{}, auth.AsFault(err, "authenticate otp")
	}
	if failure != nil {
		return auth.TokenResponse{}, failure
	}
	return s.core.Sign(ctx, is, req.Claims, now)
}

// checkCode compares the passcode and records the result on the code atomically.
func (s *Service) checkCode(ctx context.Context, tx storage.Store, code model.OneTimeCode, req OTPAuthenticate, now time.Time) (auth.CodeOutcome, error) {
	// The code as read in this transaction is unspent (CodeAttempt reads unspent codes only).
	// The right code is spent by one conditional write; if a concurrent redemption spent it
	// first, this attempt fails without counting against the code.
	if s.codeMatches(code, req) {
		// Expiry is reported only to whoever presents the right code: told to anyone, it
		// would say that a code was sent, and so that the user exists.
		if !now.Before(code.ExpiresAt) {
			return auth.OutcomeExpired, nil
		}
		ok, err := tx.ConsumeCode(ctx, code.TenantID, code.ID, now)
		if err != nil || ok {
			return auth.OutcomeOK, err
		}
		return auth.OutcomeInvalid, nil
	}
	// A wrong guess counts against the code in one statement, which spends it at the last.
	failures, maxFailures, ok, err := tx.FailCode(ctx, code.TenantID, code.ID, now)
	switch {
	case err != nil:
		return auth.OutcomeInvalid, err
	case ok && failures >= maxFailures:
		return auth.OutcomeLockedOut, nil
	}
	return auth.OutcomeInvalid, nil
}

// codeMatches compares the passcode, and the request id where the send returned one, in
// constant time: the request id is a second secret of the send.
func (s *Service) codeMatches(code model.OneTimeCode, req OTPAuthenticate) bool {
	hashOK := secret.Equal(code.CodeHash, s.keys.HashCode(code.ID, req.Passcode))
	ridOK := code.RequestID == "" || secret.Equal([]byte(code.RequestID), []byte(req.RequestID))
	return hashOK && ridOK
}

// provesProfile reports whether redeeming code proves the user's own email address or phone
// number: it must have been delivered there, not to a custom address, and the profile must
// not have changed since the send.
func provesProfile(code model.OneTimeCode, u model.User) bool {
	switch code.Channel {
	case model.ChannelEmail:
		return code.Destination != "" && code.Destination == u.Email
	case model.ChannelSMS:
		return code.Destination != "" && code.Destination == u.PhoneNumber
	}
	return false
}

func amrFor(channel string) string {
	switch channel {
	case model.ChannelSMS:
		return model.AMRSMS
	case model.ChannelDirect:
		// The caller delivered the code itself, so it proves no channel: RFC 8176's plain
		// one-time-password value, and no email or phone becomes verified.
		return model.AMRTOTP
	default:
		return model.AMREmailOTP
	}
}
