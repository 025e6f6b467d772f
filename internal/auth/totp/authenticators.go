package totp

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Error codes of TOTP management. Mosaic documents none for these cases.
const (
	CodeTOTPNotFound         = "totp_not_found"
	CodeTOTPLimitReached     = "auth_totp_limit_reached"
	CodeTOTPAlreadyConfirmed = "auth_totp_already_confirmed"
)

// totpQRSize is the side, in pixels, of an enrolment's QR code: large enough to scan from a
// screen, small enough to embed as a data URI.
const totpQRSize = 256

const maxTOTPName = 64

var (
	errTOTPNotFound     = fault.New(fault.NotFound, CodeTOTPNotFound, "TOTP credential not found")
	errInvalidTOTP      = fault.New(fault.Invalid, fault.CodeInvalidCredentials, "invalid TOTP code")
	errTOTPConfirmed    = fault.New(fault.Conflict, CodeTOTPAlreadyConfirmed, "TOTP credential is already confirmed")
	errTOTPUserNotFound = fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
	errTOTPLimitReached = fault.New(fault.Conflict, CodeTOTPLimitReached,
		"the user already has the most TOTP credentials the application allows (totp.maxTotpPerUser); delete one first")
)

// TOTPEnrol asks for a new TOTP credential. Name is an optional label.
type TOTPEnrol struct {
	Name string
}

// TOTPCredential is what may be shown of a TOTP credential: never its secret.
type TOTPCredential struct {
	ID         string
	Name       string
	Algorithm  string
	Digits     int
	Period     int
	Confirmed  bool
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// TOTPEnrolment is a new, unconfirmed TOTP credential with what an authenticator app needs to
// set it up. The secret is shown only here.
type TOTPEnrolment struct {
	TOTPCredential
	Secret string // base32 without padding
	URI    string // otpauth://totp/Issuer:account?secret=...
	QRCode []byte // PNG of URI
}

// EnrolTOTP creates an unconfirmed TOTP credential for a user the caller can see, with the
// algorithm, digits and period of the calling application's totp preferences. It replaces the
// user's earlier unconfirmed credentials, and fails with a conflict when the user already has
// maxTotpPerUser confirmed ones. The credential counts for login once ConfirmTOTP accepts a
// first code from it.
func (s *Service) EnrolTOTP(ctx context.Context, c model.Caller, userID string, in TOTPEnrol) (TOTPEnrolment, error) {
	name := strings.TrimSpace(in.Name)
	if utf8.RuneCountInString(name) > maxTOTPName || strings.ContainsFunc(name, unicode.IsControl) {
		return TOTPEnrolment{}, fault.Validation("name must be at most 64 characters without control characters")
	}
	user, err := totpVisibleUser(ctx, s.store, c, userID)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	grant, err := directory.AllowCredential(ctx, s.store, c, user.ID, directory.ByCaller)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	nk, err := s.newTOTPKey(ctx, c, user, name, totpAccountName(user), false)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	cred, key, prefs := nk.cred, nk.key, nk.prefs
	qr, err := totpQRCode(key)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		slot, err := freeTOTPSlot(ctx, tx, user, prefs.MaxTOTPPerUser)
		if err != nil {
			return err
		}
		cred.LookupKey = slot
		return grant.Create(ctx, tx, cred)
	})
	switch {
	case errors.Is(err, storage.ErrAlreadyExists):
		// A concurrent enrolment took the same slot.
		return TOTPEnrolment{}, errTOTPLimitReached.With(err)
	case err != nil:
		return TOTPEnrolment{}, auth.AsFault(err, "enrol TOTP")
	}
	return TOTPEnrolment{TOTPCredential: totpView(cred), Secret: key.Secret(), URI: key.URL(), QRCode: qr}, nil
}

// newKey is a generated TOTP key, the credential that will hold it (sealed, not yet stored)
// and the application's totp preferences it was made with.
type newKey struct {
	cred  model.Credential
	key   *otp.Key
	prefs model.TOTPPreferences
}

// newTOTPKey generates a key for user with the algorithm, digits and period of c's
// application, labelled for authenticator apps with the issuer and account, and the credential
// that holds it, confirmed or not.
func (s *Service) newTOTPKey(ctx context.Context, c model.Caller, user model.User, name, account string, confirmed bool) (newKey, error) {
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return newKey{}, fault.Wrap(err, "get application")
	}
	prefs := app.Preferences.Normalized().TOTP
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: totpIssuer(prefs, app), AccountName: account, Period: uint(prefs.Period),
		Secret: newTOTPSecret(prefs.Algorithm), Digits: otp.Digits(prefs.Digits), Algorithm: totpAlgorithm(prefs.Algorithm),
	})
	if err != nil {
		return newKey{}, fault.Wrap(err, "generate TOTP key")
	}
	now := s.core.Now()
	cred := model.Credential{
		ID: model.NewID(), TenantID: c.TenantID, UserID: user.ID, Type: model.CredentialTOTP, Name: name,
		Data:      totpData{Algorithm: prefs.Algorithm, Digits: prefs.Digits, Period: prefs.Period, Confirmed: confirmed}.encode(),
		CreatedAt: now, UpdatedAt: now,
	}
	if cred.Secret, err = s.sealTOTP(c.TenantID, cred.ID, key.Secret()); err != nil {
		return newKey{}, fault.Wrap(err, "seal TOTP secret")
	}
	return newKey{cred: cred, key: key, prefs: prefs}, nil
}

// freeTOTPSlot deletes the user's unconfirmed TOTP credentials and returns a free slot key
// for a new one. Slot keys ("<user id>#<n>", n from 1 to limit) are unique lookup keys, so that
// two concurrent enrolments cannot both take the last free slot.
func freeTOTPSlot(ctx context.Context, tx storage.Store, user model.User, limit int) (string, error) {
	creds, err := tx.ListCredentials(ctx, user.TenantID, user.ID, model.CredentialTOTP)
	if err != nil {
		return "", err
	}
	used := map[string]bool{}
	for _, cr := range creds {
		d, err := parseTOTPData(cr.Data)
		if err != nil {
			return "", err
		}
		if d.Confirmed {
			used[cr.LookupKey] = true
			continue
		}
		if err := tx.DeleteCredential(ctx, user.TenantID, cr.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return "", err
		}
	}
	if len(used) >= limit {
		return "", errTOTPLimitReached
	}
	for n := 1; ; n++ {
		if key := user.ID + "#" + strconv.Itoa(n); !used[key] {
			return key, nil
		}
	}
}

// ConfirmTOTP marks a user's TOTP credential as confirmed when code is a valid code of it,
// which proves that the authenticator app was set up. The code's time step counts as used.
func (s *Service) ConfirmTOTP(ctx context.Context, c model.Caller, userID, totpID, code string) (TOTPCredential, error) {
	if code == "" {
		return TOTPCredential{}, fault.Validation("code is required")
	}
	cred, err := s.userTOTP(ctx, c, userID, totpID)
	if err != nil {
		return TOTPCredential{}, err
	}
	// Confirming is what makes the key sign the user in: it is the adding of the credential.
	grant, err := directory.AllowCredential(ctx, s.store, c, cred.UserID, directory.ByCaller)
	if err != nil {
		return TOTPCredential{}, err
	}
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return TOTPCredential{}, fault.Wrap(err, "get application")
	}
	window := app.Preferences.Normalized().TOTP.Window
	base32Secret, err := s.openTOTP(cred)
	if err != nil {
		return TOTPCredential{}, fault.Wrap(err, "confirm TOTP")
	}
	now := s.core.Now()
	var out model.Credential
	err = grant.Update(ctx, s.store, cred.ID, func(cur model.Credential) (model.Credential, error) {
		d, err := parseTOTPData(cur.Data)
		if err != nil {
			return cur, err
		}
		if d.Confirmed {
			return cur, errTOTPConfirmed
		}
		step, ok, err := matchTOTP(base32Secret, d, code, now, window)
		if err != nil {
			return cur, err
		}
		if !ok {
			return cur, errInvalidTOTP
		}
		d.Confirmed, d.LastStep = true, step
		cur.Data, cur.UpdatedAt = d.encode(), now
		out = cur
		return cur, nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		return TOTPCredential{}, errTOTPNotFound
	}
	if err != nil {
		return TOTPCredential{}, auth.AsFault(err, "confirm TOTP")
	}
	return totpView(out), nil
}

// ListTOTP returns a user's TOTP credentials, confirmed or not, oldest first.
func (s *Service) ListTOTP(ctx context.Context, c model.Caller, userID string) ([]TOTPCredential, error) {
	user, err := totpVisibleUser(ctx, s.store, c, userID)
	if err != nil {
		return nil, err
	}
	creds, err := s.store.ListCredentials(ctx, c.TenantID, user.ID, model.CredentialTOTP)
	if err != nil {
		return nil, fault.Wrap(err, "list TOTP credentials")
	}
	out := make([]TOTPCredential, 0, len(creds))
	for _, cr := range creds {
		out = append(out, totpView(cr))
	}
	return out, nil
}

// DeleteTOTP deletes one of a user's TOTP credentials.
func (s *Service) DeleteTOTP(ctx context.Context, c model.Caller, userID, totpID string) error {
	cred, err := s.userTOTP(ctx, c, userID, totpID)
	if err != nil {
		return err
	}
	err = s.store.DeleteCredential(ctx, c.TenantID, cred.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return errTOTPNotFound
	}
	if err != nil {
		return fault.Wrap(err, "delete TOTP credential")
	}
	return nil
}

// userTOTP returns the TOTP credential totpID of a user the caller can see.
func (s *Service) userTOTP(ctx context.Context, c model.Caller, userID, totpID string) (model.Credential, error) {
	user, err := totpVisibleUser(ctx, s.store, c, userID)
	if err != nil {
		return model.Credential{}, err
	}
	if err := directory.RequireOwn(ctx, s.store, c, user.ID); err != nil {
		return model.Credential{}, err
	}
	if !model.ValidID(totpID) {
		return model.Credential{}, errTOTPNotFound
	}
	cred, err := s.store.GetCredential(ctx, c.TenantID, totpID)
	if errors.Is(err, storage.ErrNotFound) || err == nil && (cred.UserID != user.ID || cred.Type != model.CredentialTOTP) {
		return model.Credential{}, errTOTPNotFound
	}
	if err != nil {
		return model.Credential{}, fault.Wrap(err, "get TOTP credential")
	}
	return cred, nil
}

// totpVisibleUser returns the user id names as the users API would show it to c: a
// management caller sees the whole tenant, an application's client only the users linked to
// its application. Anything else is user_not_found.
func totpVisibleUser(ctx context.Context, st Store, c model.Caller, id string) (model.User, error) {
	if !model.ValidID(id) {
		return model.User{}, errTOTPUserNotFound
	}
	u, err := st.GetUser(ctx, c.TenantID, id)
	if err == nil && !c.Admin {
		_, err = st.GetAppUser(ctx, c.TenantID, c.AppID, id)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return model.User{}, errTOTPUserNotFound
	}
	if err != nil {
		return model.User{}, fault.Wrap(err, "get user")
	}
	return u, nil
}

func totpView(c model.Credential) TOTPCredential {
	d, _ := parseTOTPData(c.Data) // written by this package; a damaged record shows zero values
	return TOTPCredential{
		ID: c.ID, Name: c.Name, Algorithm: d.Algorithm, Digits: d.Digits, Period: d.Period,
		Confirmed: d.Confirmed, CreatedAt: c.CreatedAt, LastUsedAt: c.LastUsedAt,
	}
}

// totpIssuer is the issuer shown in authenticator apps: the preference, else the
// application's name without the colons an otpauth label cannot hold.
func totpIssuer(p model.TOTPPreferences, app model.Application) string {
	if p.Issuer != "" {
		return p.Issuer
	}
	if name := strings.TrimSpace(strings.ReplaceAll(app.Name, ":", " ")); name != "" {
		return name
	}
	return "Latchkey"
}

// totpAccountName is the account shown in authenticator apps beside the issuer: the user's
// email address, phone number, username or, lacking all, id.
func totpAccountName(u model.User) string {
	for _, v := range []string{u.Email, u.PhoneNumber, u.Username} {
		if v != "" {
			return strings.ReplaceAll(v, ":", " ")
		}
	}
	return u.ID
}

func totpQRCode(key *otp.Key) ([]byte, error) {
	img, err := key.Image(totpQRSize, totpQRSize)
	if err != nil {
		return nil, fault.Wrap(err, "draw QR code")
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fault.Wrap(err, "encode QR code")
	}
	return buf.Bytes(), nil
}
