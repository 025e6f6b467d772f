package totp

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// TOTPAuthenticate is a login by TOTP code (Mosaic's authenticateTotp).
type TOTPAuthenticate struct {
	Token          string
	IdentifierType string // email when empty, as in Mosaic
	Identifier     string
	auth.Login
}

// RecoveryCodeAuthenticate is a login by recovery code.
type RecoveryCodeAuthenticate struct {
	Code           string
	IdentifierType string // email when empty
	Identifier     string
	auth.Login
}

var errInvalidRecoveryCode = fault.New(fault.Invalid, fault.CodeInvalidCredentials, "invalid recovery code")

// AuthenticateTOTP logs a user in with a code of one of their confirmed TOTP credentials. A
// code is accepted within totp.window steps of now and only for a step after the last one
// accepted for that credential, so no code works twice.
func (s *Service) AuthenticateTOTP(ctx context.Context, c model.Caller, req TOTPAuthenticate) (auth.TokenResponse, error) {
	idType := totpIdentifierType(req.IdentifierType)
	problems := auth.ValidateIdentifier(idType, req.Identifier)
	switch {
	case req.Token == "":
		problems = append(problems, "token is required")
	case !validTOTPToken(req.Token):
		problems = append(problems, "token must be 6 or 8 digits")
	}
	if len(problems) > 0 {
		return auth.TokenResponse{}, fault.Validation(problems...)
	}
	// The code may be the answer to a pending transaction signing of this identifier (see
	// transaction.go), which is checked first; else it is a plain TOTP code.
	identifier := ""
	if norm, err := directory.NormalizeIdentifier(idType, req.Identifier); err == nil {
		identifier = idType + ":" + norm
	}
	var approved []byte
	return s.loginWithStoredCredential(ctx, c, storedCredentialLogin{
		kind: "totp", method: model.AMRTOTP, idType: idType, identifier: req.Identifier, login: req.Login,
		invalid: errInvalidTOTP,
		check: func(ctx context.Context, tx storage.Store, user model.User, prefs model.TOTPPreferences, now time.Time, standIn bool) (bool, error) {
			approved = nil
			ok, approval, err := s.checkTransaction(ctx, tx, c, identifier, user, req.Token, prefs, now, standIn)
			if err != nil || ok {
				approved = approval
				return ok, err
			}
			return s.checkTOTP(ctx, tx, user, req.Token, prefs, now, standIn)
		},
		approval: func() []byte { return approved },
	})
}

// AuthenticateRecoveryCode logs a user in with one of their recovery codes, which is spent:
// of concurrent uses of one code exactly one succeeds.
func (s *Service) AuthenticateRecoveryCode(ctx context.Context, c model.Caller, req RecoveryCodeAuthenticate) (auth.TokenResponse, error) {
	idType := totpIdentifierType(req.IdentifierType)
	problems := auth.ValidateIdentifier(idType, req.Identifier)
	code, ok := normalizeRecoveryCode(req.Code)
	switch {
	case req.Code == "":
		problems = append(problems, "code is required")
	case !ok:
		problems = append(problems, "code must be a recovery code such as 7k3m-q9xd-2p")
	}
	if len(problems) > 0 {
		return auth.TokenResponse{}, fault.Validation(problems...)
	}
	return s.loginWithStoredCredential(ctx, c, storedCredentialLogin{
		kind: "rec", method: AMRRecoveryCode, idType: idType, identifier: req.Identifier, login: req.Login,
		invalid: errInvalidRecoveryCode,
		check: func(ctx context.Context, tx storage.Store, user model.User, _ model.TOTPPreferences, now time.Time, standIn bool) (bool, error) {
			return s.spendRecoveryCode(ctx, tx, user, code, now, standIn)
		},
	})
}

// checkTOTP looks for a confirmed credential of the user that token is a fresh code of, and
// records its step as used with a compare-and-swap: of two logins with one code, the second
// sees the first's step and fails.
func (s *Service) checkTOTP(ctx context.Context, tx storage.Store, user model.User, token string, prefs model.TOTPPreferences, now time.Time, standIn bool) (bool, error) {
	creds, err := tx.ListCredentials(ctx, user.TenantID, user.ID, model.CredentialTOTP)
	if err != nil {
		return false, err
	}
	if standIn {
		creds = nil // read for the time it takes; checked are the decoys below
	}
	window := prefs.Window
	creds = s.decoys.padTOTP(s, creds, prefs)
	for _, cr := range creds {
		d, err := parseTOTPData(cr.Data)
		if err != nil {
			return false, err
		}
		if !d.Confirmed {
			continue
		}
		base32Secret, err := s.openTOTP(cr)
		if err != nil {
			return false, err
		}
		step, ok, err := matchTOTP(base32Secret, d, token, now, window)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		err = tx.UpdateCredential(ctx, user.TenantID, cr.ID, func(cur model.Credential) (model.Credential, error) {
			d, err := parseTOTPData(cur.Data)
			if err != nil {
				return cur, err
			}
			if !d.Confirmed || step <= d.LastStep {
				return cur, auth.ErrNoChange
			}
			d.LastStep = step
			cur.Data, cur.UpdatedAt, cur.LastUsedAt = d.encode(), now, &now
			return cur, nil
		})
		if errors.Is(err, auth.ErrNoChange) || errors.Is(err, storage.ErrNotFound) {
			continue // replayed concurrently, or deleted since it was listed
		}
		return err == nil, err
	}
	return false, nil
}

// spendRecoveryCode marks the user's unused recovery code that code is as used. The hash is
// compared against every code so that the time taken does not depend on which matched.
func (s *Service) spendRecoveryCode(ctx context.Context, tx storage.Store, user model.User, code string, now time.Time, standIn bool) (bool, error) {
	creds, err := tx.ListCredentials(ctx, user.TenantID, user.ID, model.CredentialRecovery)
	if err != nil {
		return false, err
	}
	if standIn {
		creds = nil // read for the time it takes; checked are the decoys below
	}
	var match model.Credential
	for _, cr := range s.decoys.padRecovery(s, creds) {
		if secret.Equal(cr.Secret, s.keys.HashCode(cr.ID, code)) && cr.LastUsedAt == nil {
			match = cr
		}
	}
	if match.ID == "" {
		return false, nil
	}
	err = tx.UpdateCredential(ctx, user.TenantID, match.ID, func(cur model.Credential) (model.Credential, error) {
		if cur.LastUsedAt != nil {
			return cur, auth.ErrNoChange
		}
		cur.LastUsedAt, cur.UpdatedAt = &now, now
		return cur, nil
	})
	if errors.Is(err, auth.ErrNoChange) || errors.Is(err, storage.ErrNotFound) {
		return false, nil // spent by a concurrent login, or replaced since it was listed
	}
	return err == nil, err
}

func totpIdentifierType(t string) string {
	if t == "" {
		return model.IdentifierEmail
	}
	return t
}

// validTOTPToken reports whether s has the shape of a TOTP code: six or eight digits.
func validTOTPToken(s string) bool {
	return (len(s) == 6 || len(s) == 8) && strings.Trim(s, "0123456789") == ""
}
