package totp

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// AMRRecoveryCode is the amr value of a login by recovery code. RFC 8176 has none for it;
// "rec" is Latchkey's.
const AMRRecoveryCode = "rec"

// Recovery codes: RecoveryCodeCount of them per user, each ten characters of Crockford's
// base32 alphabet (digits and lower-case letters without i, l, o and u) for 50 random bits,
// shown as xxxx-xxxx-xx.
const (
	RecoveryCodeCount   = 10
	recoveryCodeLen     = 10
	recoveryAlphabet    = "0123456789abcdefghjkmnpqrstvwxyz"
	recoveryCodeName    = "recovery code"
	maxRecoveryInputLen = 64
)

// RecoveryCodes is a new set of recovery codes, shown once.
type RecoveryCodes struct {
	Codes     []string
	CreatedAt time.Time
}

// RecoveryCodeStatus says how many of a user's recovery codes are left, never which.
type RecoveryCodeStatus struct {
	Remaining int
	Used      int
	CreatedAt *time.Time // when the current set was generated; nil when there is none
}

// GenerateRecoveryCodes replaces a visible user's recovery codes with RecoveryCodeCount new
// ones. Each is stored as a credential holding only its keyed hash, scoped by the
// credential's id; the codes themselves are returned once and cannot be shown again.
func (s *Service) GenerateRecoveryCodes(ctx context.Context, c model.Caller, userID string) (RecoveryCodes, error) {
	user, err := totpVisibleUser(ctx, s.store, c, userID)
	if err != nil {
		return RecoveryCodes{}, err
	}
	grant, err := directory.AllowCredential(ctx, s.store, c, user.ID, directory.ByCaller)
	if err != nil {
		return RecoveryCodes{}, err
	}
	now := s.core.Now()
	out := RecoveryCodes{CreatedAt: now}
	creds := make([]model.Credential, RecoveryCodeCount)
	for i := range creds {
		code := newRecoveryCode()
		out.Codes = append(out.Codes, formatRecoveryCode(code))
		id := model.NewID()
		creds[i] = model.Credential{
			ID: id, TenantID: c.TenantID, UserID: user.ID, Type: model.CredentialRecovery, Name: recoveryCodeName,
			Secret: s.keys.HashCode(id, code), CreatedAt: now, UpdatedAt: now,
		}
	}
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		if err := deleteRecoveryCredentials(ctx, tx, user, model.CredentialRecovery); err != nil {
			return err
		}
		for _, cr := range creds {
			if err := grant.Create(ctx, tx, cr); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return RecoveryCodes{}, fault.Wrap(err, "store recovery codes")
	}
	return out, nil
}

// RecoveryCodeStatus counts a visible user's recovery codes.
func (s *Service) RecoveryCodeStatus(ctx context.Context, c model.Caller, userID string) (RecoveryCodeStatus, error) {
	user, err := totpVisibleUser(ctx, s.store, c, userID)
	if err != nil {
		return RecoveryCodeStatus{}, err
	}
	creds, err := s.store.ListCredentials(ctx, c.TenantID, user.ID, model.CredentialRecovery)
	if err != nil {
		return RecoveryCodeStatus{}, fault.Wrap(err, "list recovery codes")
	}
	var out RecoveryCodeStatus
	for _, cr := range creds {
		if cr.LastUsedAt == nil {
			out.Remaining++
		} else {
			out.Used++
		}
		if out.CreatedAt == nil {
			at := cr.CreatedAt
			out.CreatedAt = &at
		}
	}
	return out, nil
}

// DeleteRecoveryCodes deletes all of a visible user's recovery codes.
func (s *Service) DeleteRecoveryCodes(ctx context.Context, c model.Caller, userID string) error {
	user, err := totpVisibleUser(ctx, s.store, c, userID)
	if err != nil {
		return err
	}
	if err := directory.RequireOwn(ctx, s.store, c, user.ID); err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		return deleteRecoveryCredentials(ctx, tx, user, model.CredentialRecovery)
	})
	if err != nil {
		return fault.Wrap(err, "delete recovery codes")
	}
	return nil
}

func deleteRecoveryCredentials(ctx context.Context, tx storage.Store, user model.User, typ string) error {
	old, err := tx.ListCredentials(ctx, user.TenantID, user.ID, typ)
	if err != nil {
		return err
	}
	for _, cr := range old {
		if err := tx.DeleteCredential(ctx, user.TenantID, cr.ID); err != nil {
			return err
		}
	}
	return nil
}

// newRecoveryCode returns recoveryCodeLen random characters of the alphabet. The alphabet has
// 32 symbols, so the low five bits of a random byte pick one without bias.
func newRecoveryCode() string {
	b := make([]byte, recoveryCodeLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	for i := range b {
		b[i] = recoveryAlphabet[b[i]&31]
	}
	return string(b)
}

// formatRecoveryCode groups a code as xxxx-xxxx-xx for reading aloud and typing.
func formatRecoveryCode(code string) string {
	return code[:4] + "-" + code[4:8] + "-" + code[8:]
}

// normalizeRecoveryCode turns what a person typed into the stored form: case, hyphens and
// spaces do not matter, and the letters the alphabet leaves out for looking like digits are
// read as those digits. ok is false when the result cannot be a recovery code.
func normalizeRecoveryCode(in string) (string, bool) {
	if len(in) > maxRecoveryInputLen {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToLower(in) {
		switch r {
		case '-', ' ':
			continue
		case 'o':
			r = '0'
		case 'i', 'l':
			r = '1'
		}
		if !strings.ContainsRune(recoveryAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != recoveryCodeLen {
		return "", false
	}
	return b.String(), true
}
