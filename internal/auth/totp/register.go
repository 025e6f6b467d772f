package totp

import (
	"context"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// TOTPRegister is a logged-in user's registration of their own authenticator (Mosaic's
// register TOTP).
type TOTPRegister struct {
	// Label is the account name the authenticator app shows; empty means the user's email
	// address, phone number, username or id.
	Label string
	// AllowOverride replaces the user's TOTP credentials when they already have as many as the
	// application allows (totp.maxTotpPerUser), instead of refusing.
	AllowOverride bool
	// DeviceID names the device the registration comes from (at most 80 characters). Latchkey
	// keeps no device records, so it is checked and otherwise unused.
	DeviceID string
}

const (
	maxTOTPLabel    = 256
	maxTOTPDeviceID = 80
)

// RegisterTOTP registers a TOTP authenticator for the logged-in user of u and returns its key.
// Unlike an enrolment by a backend, the credential needs no confirmation: it signs the user in
// as soon as it is registered, whether or not the key was ever added to an app, as Mosaic's
// registration does. The user's access token vouches for no more than the application does
// (its own login, a code it sent itself, may have made it), so the application's rule for
// adding a credential applies.
func (s *Service) RegisterTOTP(ctx context.Context, u auth.UserCaller, req TOTPRegister) (TOTPEnrolment, error) {
	label := strings.TrimSpace(req.Label)
	var problems []string
	if utf8.RuneCountInString(label) > maxTOTPLabel || strings.ContainsFunc(label, unicode.IsControl) {
		problems = append(problems, "label must be at most 256 characters without control characters")
	}
	if utf8.RuneCountInString(req.DeviceID) > maxTOTPDeviceID {
		problems = append(problems, "device_id must be at most 80 characters")
	}
	if len(problems) > 0 {
		return TOTPEnrolment{}, fault.Validation(problems...)
	}
	user, err := s.store.GetUser(ctx, u.TenantID, u.UserID)
	if errors.Is(err, storage.ErrNotFound) {
		return TOTPEnrolment{}, errTOTPUserNotFound
	} else if err != nil {
		return TOTPEnrolment{}, fault.Wrap(err, "get user")
	}
	if user.Status != model.UserActive {
		return TOTPEnrolment{}, fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
	}
	grant, err := directory.AllowCredential(ctx, s.store, u.Caller, user.ID, directory.ByCaller)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	account := strings.ReplaceAll(label, ":", " ")
	if account == "" {
		account = totpAccountName(user)
	}
	nk, err := s.newTOTPKey(ctx, u.Caller, user, "", account, true)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	qr, err := totpQRCode(nk.key)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	cred := nk.cred
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		slot, err := freeTOTPSlot(ctx, tx, user, nk.prefs.MaxTOTPPerUser)
		if errors.Is(err, errTOTPLimitReached) && req.AllowOverride {
			if err := dropTOTP(ctx, tx, user); err != nil {
				return err
			}
			slot, err = freeTOTPSlot(ctx, tx, user, nk.prefs.MaxTOTPPerUser)
		}
		if err != nil {
			return err
		}
		cred.LookupKey = slot
		return grant.Create(ctx, tx, cred)
	})
	switch {
	case errors.Is(err, storage.ErrAlreadyExists):
		return TOTPEnrolment{}, errTOTPLimitReached.With(err)
	case err != nil:
		return TOTPEnrolment{}, auth.AsFault(err, "register TOTP")
	}
	return TOTPEnrolment{TOTPCredential: totpView(cred), Secret: nk.key.Secret(), URI: nk.key.URL(), QRCode: qr}, nil
}

// dropTOTP deletes every TOTP credential of a user: what a registration that overrides
// replaces.
func dropTOTP(ctx context.Context, tx storage.Store, user model.User) error {
	creds, err := tx.ListCredentials(ctx, user.TenantID, user.ID, model.CredentialTOTP)
	if err != nil {
		return err
	}
	for _, cr := range creds {
		if err := tx.DeleteCredential(ctx, user.TenantID, cr.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	return nil
}
