package totp

import (
	"context"
	"crypto/subtle"
	"encoding/base32"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// A TOTP transaction signing (Mosaic's transaction start) asks the user to approve a
// transaction with their authenticator: the backend starts it with the transaction's
// approval_data and gets a numeric challenge to show beside the transaction; the user enters
// the challenge in their authenticator, which computes a code from it (ocra.go); the backend
// sends that code to the TOTP authenticate call, which finds the pending transaction, checks the
// code against its challenge and, on success, spends the transaction and puts its approval_data
// in the ID token. A plain TOTP code approves nothing: it signs the user in as usual, and the
// tokens carry no approval_data.

// transactionTTL is how long a transaction waits for its code.
const transactionTTL = 5 * time.Minute

// TOTPTransactionStart starts a transaction signing.
type TOTPTransactionStart struct {
	ApprovalData   json.RawMessage
	IdentifierType string
	Identifier     string
	DeviceID       string // checked (at most 80 characters) and otherwise unused
}

// TOTPTransaction is a started transaction: what the user approves, and the challenge to
// enter in their authenticator.
type TOTPTransaction struct {
	ApprovalData json.RawMessage
	Challenge    string
}

// transactionPayload is what a transaction keeps until its code comes.
type transactionPayload struct {
	Challenge string `json:"challenge"`
}

var (
	errTransactionUserNotFound = fault.New(fault.Invalid, fault.CodeUserNotFound, "user not found")
	errTransactionUserInactive = fault.New(fault.Invalid, fault.CodeUserNotActive, "user is not active")
	errTransactionNoTOTP       = fault.New(fault.Invalid, CodeTOTPNotFound, "the user has no TOTP authenticator")
)

// StartTransaction starts a transaction signing for the user an identifier names, who must
// have a TOTP authenticator. A later start for the same identifier replaces an earlier one
// still pending. When the application hides who exists (enumeration protection), a name that
// is nobody's, or whose user has no authenticator, gets a challenge like anyone's, and no code
// ever approves it.
func (s *Service) StartTransaction(ctx context.Context, c model.Caller, req TOTPTransactionStart) (TOTPTransaction, error) {
	problems := auth.ValidateIdentifier(req.IdentifierType, req.Identifier)
	approval, ap := auth.ParseApprovalData(req.ApprovalData)
	problems = append(problems, ap...)
	if approval == nil && len(ap) == 0 {
		problems = append(problems, "approval_data is required")
	}
	if utf8.RuneCountInString(req.DeviceID) > maxTOTPDeviceID {
		problems = append(problems, "device_id must be at most 80 characters")
	}
	if len(problems) > 0 {
		return TOTPTransaction{}, fault.Validation(problems...)
	}
	norm, err := directory.NormalizeIdentifier(req.IdentifierType, req.Identifier)
	if err != nil {
		return TOTPTransaction{}, fault.Validation("identifier: " + err.Error())
	}
	challenge := secret.NewCode(challengeDigits)
	payload, _ := json.Marshal(transactionPayload{Challenge: challenge}) // plain fields always encode
	identifier := req.IdentifierType + ":" + norm
	now := s.core.Now()
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		app, err := tx.GetApplication(ctx, c.TenantID, c.AppID)
		if err != nil {
			return err
		}
		user, found, _, standIn, err := s.storedCredentialUser(ctx, tx, c, app, "totp", req.IdentifierType, norm)
		if err != nil {
			return err
		}
		// The credentials are read for whoever the lookup settled on, a stand-in included, so
		// that a start for nobody reads what one for a real user does.
		subject := standIn
		if found {
			subject = user.ID
		}
		creds, err := tx.ListCredentials(ctx, c.TenantID, subject, model.CredentialTOTP)
		if err != nil {
			return err
		}
		// Only an authenticator whose period OCRA can express signs transactions.
		hasTOTP := false
		for _, cr := range creds {
			d, err := parseTOTPData(cr.Data)
			_, serr := ocraSuite(d)
			hasTOTP = hasTOTP || err == nil && serr == nil && d.Confirmed
		}
		switch {
		case found && user.Status != model.UserActive:
			return errTransactionUserInactive
		case found && hasTOTP:
		case app.EnumerationProtection:
			user = model.User{} // a decoy: stored like a real one, approved by nothing
		case !found:
			return errTransactionUserNotFound
		default:
			return errTransactionNoTOTP
		}
		if _, err := tx.SpendCodes(ctx, c.TenantID, c.AppID, model.PurposeTOTPTransaction, identifier, now); err != nil {
			return err
		}
		return tx.CreateCode(ctx, model.OneTimeCode{
			ID: model.NewID(), TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID, UserID: user.ID,
			Purpose: model.PurposeTOTPTransaction, IdentifierType: req.IdentifierType, Identifier: identifier,
			ApprovalData: approval, Payload: payload, MaxFailures: 1, CreatedAt: now, ExpiresAt: now.Add(transactionTTL),
		})
	})
	if err != nil {
		return TOTPTransaction{}, auth.AsFault(err, "start TOTP transaction")
	}
	return TOTPTransaction{ApprovalData: approval, Challenge: challenge}, nil
}

// checkTransaction looks for the pending transaction of the identifier a TOTP login names and,
// when token is the code the user's authenticator computes from its challenge, spends it and
// returns its approval data. The transaction is read whoever the login is for, and a stand-in's
// login checks the decoy credentials, so that the work does not tell who exists.
func (s *Service) checkTransaction(ctx context.Context, tx storage.Store, c model.Caller, identifier string, user model.User,
	token string, prefs model.TOTPPreferences, now time.Time, standIn bool) (bool, json.RawMessage, error) {
	code, err := tx.LatestCode(ctx, c.TenantID, c.AppID, model.PurposeTOTPTransaction, identifier)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil, nil
	} else if err != nil {
		return false, nil, err
	}
	var p transactionPayload
	if json.Unmarshal(code.Payload, &p) != nil || !now.Before(code.ExpiresAt) {
		return false, nil, nil
	}
	creds, err := tx.ListCredentials(ctx, user.TenantID, user.ID, model.CredentialTOTP)
	if err != nil {
		return false, nil, err
	}
	if standIn || code.UserID == "" || code.UserID != user.ID {
		creds = nil // checked are the decoys below, which never match
	}
	matched := false
	for _, cr := range s.decoys.padTOTP(s, creds, prefs) {
		d, err := parseTOTPData(cr.Data)
		if err != nil {
			return false, nil, err
		}
		if !d.Confirmed && cr.TenantID != "decoy" {
			continue
		}
		ok, err := s.matchTransaction(cr, d, p.Challenge, token, now, prefs.Window)
		if err != nil {
			return false, nil, err
		}
		matched = matched || ok && cr.TenantID != "decoy"
	}
	if !matched {
		return false, nil, nil
	}
	// Of concurrent logins with one code, the first to spend the transaction approves it.
	spent, err := tx.ConsumeCode(ctx, c.TenantID, code.ID, now)
	if err != nil || !spent {
		return false, nil, err
	}
	return true, code.ApprovalData, nil
}

// matchTransaction reports whether token is the OCRA response of the credential to challenge
// at a time step within window of now. Every step is computed and compared in constant time.
func (s *Service) matchTransaction(cr model.Credential, d totpData, challenge, token string, now time.Time, window int) (bool, error) {
	if len(token) != d.Digits {
		return false, nil
	}
	suite, err := ocraSuite(d)
	if err != nil {
		return false, nil // a period OCRA cannot express signs no transaction
	}
	base32Secret, err := s.openTOTP(cr)
	if err != nil {
		return false, err
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(base32Secret))
	if err != nil {
		return false, err
	}
	current := totpStep(now, d.Period)
	ok := false
	for step := current - int64(window); step <= current+int64(window); step++ {
		if step < 0 {
			continue
		}
		want, err := ocraResponse(suite, key, challenge, step)
		if err != nil {
			return false, err
		}
		ok = subtle.ConstantTimeCompare([]byte(want), []byte(token)) == 1 || ok
	}
	return ok, nil
}
