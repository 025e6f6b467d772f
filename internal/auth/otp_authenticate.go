package auth

import (
	"context"
	"errors"
	"strings"
	"time"

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

func errLocked(until, now time.Time) *fault.Error {
	e := fault.New(fault.Locked, fault.CodeLocked, "too many failed attempts; try again later")
	e.RetryAfter = until.Sub(now)
	return e
}

// codeOutcome is what checking a passcode decided; it is computed inside the update so that
// concurrent attempts on one code are serialised by the store.
type codeOutcome int

const (
	outcomeInvalid codeOutcome = iota
	outcomeExpired
	outcomeLockedOut // this failure reached the limit: the code is spent, the identifier locked
	outcomeOK
)

// AuthenticateOTP redeems a passcode. Every wrong code counts against the code; at the
// maxFailures of the code's channel (email_otp or sms preferences) the code is spent and the
// identifier locked for that channel's lockoutDuration. Wrong codes also count against the
// identifier across codes (rate_limits.failuresPerIdentifier). Success, the session and the
// refresh token are written in one transaction; the JWTs are signed after it commits.
func (s *Service) AuthenticateOTP(ctx context.Context, c model.Caller, req OTPAuthenticate) (TokenResponse, error) {
	problems := validateIdentifier(req.IdentifierType, req.Identifier)
	if req.Passcode == "" {
		problems = append(problems, "passcode is required")
	}
	if len(problems) > 0 {
		return TokenResponse{}, fault.Validation(problems...)
	}
	norm, err := directory.NormalizeIdentifier(req.IdentifierType, req.Identifier)
	if err != nil {
		return TokenResponse{}, fault.Validation("identifier: " + err.Error())
	}
	identifier := req.IdentifierType + ":" + norm
	lockKey := "otp:" + identifier
	now := s.now()

	var is issued
	var failure error
	var method, userID string
	attempt := func(tx attemptTx) error {
		failure, method, userID = nil, "", ""
		app, err := tx.GetApplication(ctx, c.TenantID, c.AppID)
		if err != nil {
			return err
		}
		all := app.Preferences.Normalized()
		limits := all.Limits
		var outcome codeOutcome
		code, err := tx.LatestCode(ctx, c.TenantID, c.AppID, model.PurposeOTP, identifier)
		// The lockout lasts as long as the preferences of the code's channel say; with no
		// code, those of the channel the identifier would use.
		prefs := otpPrefs(all, code.Channel, req.IdentifierType)
		method, userID = amrFor(code.Channel), code.UserID
		// Failures count against the user when the code names one, so that their email and
		// phone number share one budget; otherwise against the identifier.
		subject, subjectLock := identifier, lockKey
		if code.UserID != "" {
			subject = "user:" + code.UserID
			subjectLock = "otp:" + subject
		}
		// The identifier and the user are checked in one read: either's lockout refuses.
		if l, lerr := tx.ActiveLockout(ctx, c.TenantID, c.AppID, now, lockKey, subjectLock); lerr == nil {
			failure = errLocked(l.Until, now)
			return nil
		} else if !errors.Is(lerr, storage.ErrNotFound) {
			return lerr
		}
		switch {
		case errors.Is(err, storage.ErrNotFound):
			// No code to check: still a failed guess against this identifier.
			outcome = outcomeInvalid
		case err != nil:
			return err
		default:
			if outcome, err = s.checkCode(ctx, tx, code, req, now); err != nil {
				return err
			}
		}
		switch outcome {
		case outcomeInvalid:
			failure = errInvalidCode
			locked, err := countFailure(ctx, tx, c, limits, subject, now)
			if err != nil || !locked {
				return err
			}
			outcome = outcomeLockedOut
		}
		switch outcome {
		case outcomeExpired:
			failure = errCodeExpired
			return nil
		case outcomeLockedOut:
			until := now.Add(time.Duration(prefs.LockoutDuration) * time.Minute)
			failure = errLocked(until, now)
			// Lock the identifier too: once its code is spent, the next attempt finds no code
			// that names the user.
			for _, key := range []string{lockKey, subjectLock} {
				if err := tx.PutLockout(ctx, model.Lockout{TenantID: c.TenantID, AppID: c.AppID, Key: key, Until: until}); err != nil {
					return err
				}
			}
			return nil
		}
		user, link, err := s.userForCode(ctx, tx, c, code, now)
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
		if err := clearFailures(ctx, tx, c, subject); err != nil {
			return err
		}
		is, err = s.recordLogin(ctx, tx, grant{
			caller: c, user: user, link: link, method: amrFor(code.Channel), login: req.Login,
			unverified: !provesProfile(code, user), approval: code.ApprovalData,
			callersWord: code.Channel == model.ChannelDirect,
		}, now)
		return err
	}
	// A wrong guess's count commits even if its audit event cannot be written.
	failure, err = s.settleAttempt(ctx, func(tx attemptTx) (error, error) {
		err := attempt(tx)
		return failure, err
	}, func(st storage.Store, failure error) error {
		return s.record(ctx, st, c, loginEvent(method, userID, req.ClientAttributes, failure, is), now)
	})
	if err != nil {
		return TokenResponse{}, asFault(err, "authenticate otp")
	}
	if failure != nil {
		return TokenResponse{}, failure
	}
	return s.sign(ctx, is, req.Claims, now)
}

// checkCode compares the passcode and records the result on the code atomically.
func (s *Service) checkCode(ctx context.Context, tx storage.Store, code model.OneTimeCode, req OTPAuthenticate, now time.Time) (codeOutcome, error) {
	// The right code, as read in this transaction, is spent by one conditional write; only
	// if a concurrent redemption spent it first does the locked path below decide.
	if code.ConsumedAt == nil && now.Before(code.ExpiresAt) && s.codeMatches(code, req) {
		ok, err := tx.ConsumeCode(ctx, code.TenantID, code.ID, now)
		if err != nil || ok {
			return outcomeOK, err
		}
	}
	var outcome codeOutcome
	err := tx.UpdateCode(ctx, code.TenantID, code.ID, func(cur model.OneTimeCode) (model.OneTimeCode, error) {
		if cur.ConsumedAt != nil {
			outcome = outcomeInvalid
			return cur, errNoChange
		}
		// Expiry is reported only to whoever presents the right code: told to anyone, it
		// would say that a code was sent, and so that the user exists.
		if s.codeMatches(cur, req) {
			if !now.Before(cur.ExpiresAt) {
				outcome = outcomeExpired
				return cur, errNoChange
			}
			outcome = outcomeOK
			cur.ConsumedAt = &now
			return cur, nil
		}
		cur.Failures++
		outcome = outcomeInvalid
		if cur.Failures >= cur.MaxFailures {
			outcome = outcomeLockedOut
			cur.ConsumedAt = &now
		}
		return cur, nil
	})
	if errors.Is(err, errNoChange) {
		err = nil
	}
	return outcome, err
}

// codeMatches compares the passcode, and the request id where the send returned one, in
// constant time: the request id is a second secret of the send.
func (s *Service) codeMatches(code model.OneTimeCode, req OTPAuthenticate) bool {
	hashOK := secret.Equal(code.CodeHash, s.keys.HashCode(code.ID, req.Passcode))
	ridOK := code.RequestID == "" || secret.Equal([]byte(code.RequestID), []byte(req.RequestID))
	return hashOK && ridOK
}

// errNoChange aborts an update that has nothing to write.
var errNoChange = errors.New("no change")

// userForCode returns the code's user, creating them for a public sign-up, and their link to
// the caller's application, made when missing.
func (s *Service) userForCode(ctx context.Context, tx storage.Store, c model.Caller, code model.OneTimeCode, now time.Time) (model.User, *model.AppUser, error) {
	var u model.User
	var link model.AppUser
	var linked bool
	var err error
	if code.UserID != "" {
		u, link, linked, err = tx.GetUserAndLink(ctx, c.TenantID, c.AppID, code.UserID)
	} else {
		u, err = s.signUp(ctx, tx, c, code, now)
	}
	if err != nil {
		return u, nil, err
	}
	if u.Status != model.UserActive {
		return u, nil, fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
	}
	// A user signed up by this login comes with their link; anyone else is adopted.
	link, err = ensureLink(ctx, tx, c, u.ID, link, linked, code.UserID != "", now)
	return u, &link, err
}

// ensureLink returns the user's link to the caller's application, as a read found it, linking
// them first when they were not: a login through an application makes the user one of its
// users. adopted says the user existed before this login (see model.AppUser.Adopted).
func ensureLink(ctx context.Context, tx storage.Store, c model.Caller, userID string, link model.AppUser, linked, adopted bool, now time.Time) (model.AppUser, error) {
	if linked {
		return link, nil
	}
	link = model.AppUser{TenantID: c.TenantID, AppID: c.AppID, UserID: userID, CreatedAt: now, Adopted: adopted}
	if err := tx.LinkUser(ctx, link); err != nil {
		return link, err
	}
	// A concurrent login may have linked the user first, with its own time: read what won.
	return tx.GetAppUser(ctx, c.TenantID, c.AppID, userID)
}

// signUp creates the user a public sign-up code was sent for, with the email address or phone
// number it identified; whether that becomes verified is decided by recordLogin. A user
// created with that identifier since the send is taken as is.
func (s *Service) signUp(ctx context.Context, tx storage.Store, c model.Caller, code model.OneTimeCode, now time.Time) (model.User, error) {
	value := strings.TrimPrefix(code.Identifier, code.IdentifierType+":")
	u := model.User{ID: model.NewID(), TenantID: c.TenantID, Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
	var field string
	switch code.IdentifierType {
	case model.IdentifierEmail:
		field, u.Email = storage.UserByEmail, value
	case model.IdentifierPhone:
		field, u.PhoneNumber = storage.UserByPhone, value
	default:
		return u, fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
	}
	existing, err := tx.GetUserBy(ctx, c.TenantID, field, value)
	if err == nil {
		return existing, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return u, err
	}
	return u, tx.CreateUser(ctx, u)
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
