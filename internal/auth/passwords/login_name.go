package passwords

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/storage"
)

// PasswordAuthenticate is a password login (Mosaic's authenticatePassword).
type PasswordAuthenticate struct {
	// Username is the login name, of type UsernameType: username (the default), email or
	// phone_number.
	Username     string
	UsernameType string
	Password     string
	auth.Login
}

// PasswordChange replaces a password, proven by the current one, and logs the user in. It is
// how a user replaces a temporary or expired password.
type PasswordChange struct {
	Username        string
	UsernameType    string
	CurrentPassword string
	NewPassword     string
	auth.Login
}

var (
	errBadPassword = fault.New(fault.Invalid, fault.CodeInvalidCredentials, "invalid username or password")
	errPwdTemp     = fault.New(fault.Forbidden, password.CodeTemporary,
		"the password is correct but temporary: choose a new one with POST /cis/v1/auth/password/change")
	errPwdExpired = fault.New(fault.Forbidden, password.CodeExpired,
		"the password is correct but has expired: choose a new one with POST /cis/v1/auth/password/change")
	errTempExpired = fault.New(fault.Forbidden, password.CodeExpired,
		"the temporary password has expired: ask for a password reset")
	errNoPassword = fault.New(fault.Conflict, password.CodeNotConfigured, "the user has no password")
)

// loginName is who a password login names, resolved before any hashing.
type loginName struct {
	idType, norm string
	user         model.User
	cred         model.Credential
	// known is set when the name is a user of the application with a password; otherwise
	// the login is checked against a dummy hash and fails like a wrong password.
	known bool
	// linked is set when the user is already linked to the application; a user of another
	// application of the tenant is linked by the login when public sign-up allows it.
	linked bool
}

// lockKey is the lockout key of a login. A name that is a user's counts against the user, so
// that their email, username and phone number share one failure budget instead of each having
// their own; any other name counts against itself and locks after as many failures, so that
// lockouts reveal nothing about which names exist.
func (n loginName) lockKey() string {
	if n.user.ID != "" {
		return "pwd:user:" + n.user.ID
	}
	return "pwd:" + n.idType + ":" + n.norm
}

// passwordLoginProblems checks the fields every password login has.
func passwordLoginProblems(username, usernameType, secret, secretField string) []string {
	var p []string
	switch usernameType {
	case "", model.IdentifierUsername, model.IdentifierEmail, model.IdentifierPhone:
	default:
		p = append(p, "username_type must be one of username, email, phone_number")
	}
	if username == "" {
		p = append(p, "username is required")
	}
	if secret == "" {
		p = append(p, secretField+" is required")
	} else if len(secret) > password.MaxBytes {
		p = append(p, secretField+" is too long")
	}
	return p
}

// findLoginName resolves a login name among the application's users: one linked to it, or
// any of the tenant's when the application allows public sign-up (the login links them).
func (s *Service) findLoginName(ctx context.Context, c model.Caller, app model.Application, usernameType, username string) (loginName, error) {
	if usernameType == "" {
		usernameType = model.IdentifierUsername
	}
	norm, err := directory.NormalizeIdentifier(usernameType, username)
	if err != nil {
		return loginName{}, fault.Validation("username: " + err.Error())
	}
	n := loginName{idType: usernameType, norm: norm}
	u, err := s.store.GetUserBy(ctx, c.TenantID, usernameType, norm)
	if errors.Is(err, storage.ErrNotFound) {
		return n, nil
	} else if err != nil {
		return n, fault.Wrap(err, "find user")
	}
	_, err = s.store.GetAppUser(ctx, c.TenantID, c.AppID, u.ID)
	switch {
	case err == nil:
		n.linked = true
	case !errors.Is(err, storage.ErrNotFound):
		return n, fault.Wrap(err, "get app user")
	case !app.AllowPublicSignup:
		return n, nil
	}
	cred, found, err := passwordOf(ctx, s.store, c.TenantID, u.ID)
	if err != nil || !found {
		return n, err
	}
	n.user, n.cred, n.known = u, cred, true
	return n, nil
}

// passwordOf returns a user's password credential, if they have one.
func passwordOf(ctx context.Context, st storage.Credentials, tenantID, userID string) (model.Credential, bool, error) {
	list, err := st.ListCredentials(ctx, tenantID, userID, model.CredentialPassword)
	if err != nil {
		return model.Credential{}, false, fault.Wrap(err, "list credentials")
	}
	if len(list) == 0 {
		return model.Credential{}, false, nil
	}
	return list[0], true, nil
}

// checkSecret verifies a presented password against the login name's hash, or spends the same
// effort on a dummy hash for an unknown name. It also returns the new hash when the stored one
// is imported or made with older parameters: the rehash is computed here, outside the login's
// transaction, and written inside it.
//
// A stored hash above the limit for imported hashes (stored before the limit existed) is not
// computed: the login fails as a wrong password does, after the dummy's effort, and the user
// needs a password reset. Answering otherwise would tell such users apart from others.
//
// Every hash is computed in the caller's tenant's share of the hashing pool, the dummy too: a
// flood of logins with made-up names is the flooding tenant's to wait for, not everyone's.
func (s *Service) checkSecret(ctx context.Context, c model.Caller, n loginName, presented string) (ok bool, rehash string, err error) {
	h := password.Shared()
	if !n.known {
		return false, "", h.VerifyDummy(ctx, c.TenantID, presented)
	}
	ok, err = h.Verify(ctx, c.TenantID, string(n.cred.Secret), presented)
	if errors.Is(err, password.ErrTooCostly) {
		return false, "", h.VerifyDummy(ctx, c.TenantID, presented)
	}
	if err != nil || !ok {
		return false, "", err
	}
	if h.NeedsRehash(string(n.cred.Secret)) {
		rehash, err = h.Hash(ctx, c.TenantID, presented)
	}
	return ok, rehash, err
}

// lockout is a login name's lockout, under the application's tiered password policy.
func (n loginName) lockout(c model.Caller, p model.PasswordPreferences) auth.Lockout {
	key := n.lockKey()
	return auth.Lockout{Caller: c, Keys: []string{key}, Counter: key, Policy: tiers{p}}
}

// tiers is the failure policy of passwords: a lockout after the preferences' count of recent
// failures, lasting longer as failures keep coming over a longer window (password.LockFor).
type tiers struct{ p model.PasswordPreferences }

func failureKeys(c model.Caller, counter string) (recent, total string) {
	base := c.TenantID + ":" + c.AppID + ":" + counter
	return "pwdfail:" + base, "pwdtier:" + base
}

// CountFailure implements auth.FailurePolicy.
func (t tiers) CountFailure(ctx context.Context, tx auth.AttemptTx, c model.Caller, counter string, now time.Time) (time.Duration, error) {
	recentKey, totalKey := failureKeys(c, counter)
	recent, _, err := tx.CountHit(ctx, recentKey, now, now.Add(time.Duration(t.p.FailuresExpireIn)*time.Minute))
	if err != nil {
		return 0, err
	}
	tierWindow := max(password.TierWindow, time.Duration(t.p.FailuresExpireIn)*time.Minute)
	total, _, err := tx.CountHit(ctx, totalKey, now, now.Add(tierWindow))
	if err != nil {
		return 0, err
	}
	d, lock := password.LockFor(t.p, password.Failures{Recent: recent, Total: total})
	if !lock {
		return 0, nil
	}
	// The next lockout needs a full count of recent failures again; the total keeps counting
	// towards the next tier.
	return d, tx.ResetCounter(ctx, recentKey)
}

// ClearFailures implements auth.FailurePolicy.
func (tiers) ClearFailures(ctx context.Context, tx storage.Store, c model.Caller, counter string) error {
	recentKey, totalKey := failureKeys(c, counter)
	if err := tx.ResetCounter(ctx, recentKey); err != nil {
		return err
	}
	return tx.ResetCounter(ctx, totalKey)
}

// unlockUser lifts the password lockouts and failures of every login name of a user in the
// caller's application, after a reset has proven who they are.
func unlockUser(ctx context.Context, tx storage.Store, c model.Caller, u model.User) error {
	return loginName{user: u}.lockout(c, model.PasswordPreferences{}).Lift(ctx, tx)
}

// stateFault is the answer to a correct password that may not log in, or nil.
func stateFault(st password.State) error {
	switch st {
	case password.MustChange:
		return errPwdTemp
	case password.Expired:
		return errPwdExpired
	case password.TemporaryExpired:
		return errTempExpired
	}
	return nil
}

// endOtherSessions ends every active session of a user but keep (which may be empty), with its
// refresh tokens, and records each.
func (s *Service) endOtherSessions(ctx context.Context, tx storage.Store, c model.Caller, userID, keep, why string, now time.Time) error {
	list, err := tx.ListSessions(ctx, c.TenantID, userID)
	if err != nil {
		return err
	}
	for _, sess := range list {
		if sess.ID == keep || sess.RevokedAt != nil {
			continue
		}
		if err := s.core.EndSession(ctx, tx, c.TenantID, sess.ID, now); err != nil {
			return err
		}
		err := s.core.Record(ctx, tx, c, auth.Event{Type: model.EventSessionEnded, Method: why, UserID: userID,
			Details: map[string]any{"session_ref": sess.ID}}, now)
		if err != nil {
			return err
		}
	}
	return nil
}

// errStale aborts a write when the password changed between its verification and the write.
var errStale = errors.New("password changed concurrently")
