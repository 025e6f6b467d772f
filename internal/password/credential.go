package password

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// Input is a password being set.
type Input struct {
	// Password is the new password in the clear; Hash is instead an imported hash (user
	// creation only). Exactly one is set.
	Password string
	Hash     string
	// Temporary marks a password chosen for the user (force_replace).
	Temporary bool
	// Lenient skips the complexity policy (enforce_complexity=false).
	Lenient bool
	Subject Subject
}

// Problems checks an input's form without hashing anything: exactly one of the password and
// the hash, a well-formed password, a supported hash. Field names in the problems start with
// prefix ("credentials." at user creation). The policy is applied later, by Create and Replace.
func (in Input) Problems(prefix string) []string {
	switch {
	case in.Password != "" && in.Hash != "":
		return []string{prefix + "password and " + prefix + "password_hash: give one, not both"}
	case in.Hash != "":
		if err := CheckHash(in.Hash); err != nil {
			return []string{prefix + err.Error()}
		}
		return nil
	case in.Password == "":
		return []string{prefix + "password is required"}
	}
	if err := CheckForm(prefix+"password", in.Password); err != nil {
		return fault.As(err).Details
	}
	return nil
}

// Create checks in against the application's (normalised) preferences and returns a user's
// first password credential, ready to store. An imported hash is stored as given; it is
// replaced by an argon2id hash at the user's first successful login.
func (h *Hasher) Create(ctx context.Context, tenantID, userID string, in Input, p model.PasswordPreferences, now time.Time) (model.Credential, error) {
	secret, err := h.secretOf(ctx, tenantID, in, p)
	if err != nil {
		return model.Credential{}, err
	}
	d := Data{Temporary: in.Temporary, ChangedAt: now, ExpiresAt: expiry(p, in.Temporary, now)}
	return model.Credential{
		// The user id as lookup key makes the store refuse a second password for the user.
		ID: model.NewID(), TenantID: tenantID, UserID: userID, Type: model.CredentialPassword, LookupKey: userID,
		Secret: []byte(secret), Data: d.JSON(), CreatedAt: now, UpdatedAt: now,
	}, nil
}

// Replace checks a new password against the policy and the credential's history and returns
// cur with the new password. It refuses the blockPreviousPasswords most recent passwords, the
// current one included; refuseCurrent also refuses the current one when that setting is 0, as
// a user replacing a temporary or expired password must choose a different one.
func (h *Hasher) Replace(ctx context.Context, cur model.Credential, in Input, p model.PasswordPreferences, refuseCurrent bool, now time.Time) (model.Credential, error) {
	if in.Hash != "" {
		return cur, fault.Validation("a password can be replaced only by a password, not by a hash")
	}
	d, err := ParseData(cur.Data)
	if err != nil {
		return cur, fault.Wrap(err, "replace password")
	}
	if err := checkPolicy(in, p); err != nil {
		return cur, err
	}
	recent := append([]string{string(cur.Secret)}, d.History...)
	n := p.BlockPreviousPasswords
	if refuseCurrent {
		n = max(n, 1)
	}
	for _, old := range recent[:min(n, len(recent))] {
		same, err := h.Verify(ctx, cur.TenantID, old, in.Password)
		if errors.Is(err, ErrTooCostly) {
			// Too costly to compare: a reset must still be able to replace such a hash.
			continue
		}
		if err != nil {
			return cur, err
		}
		if same {
			return cur, fault.New(fault.Invalid, CodeRecentlyUsed, "password was used recently; choose a different one")
		}
	}
	secret, err := h.Hash(ctx, cur.TenantID, in.Password)
	if err != nil {
		return cur, err
	}
	keep := max(p.BlockPreviousPasswords-1, 0)
	next := Data{
		History:   recent[:min(keep, len(recent))],
		Temporary: in.Temporary, ChangedAt: now, ExpiresAt: expiry(p, in.Temporary, now),
	}
	cur.Secret, cur.Data, cur.UpdatedAt = []byte(secret), next.JSON(), now
	return cur, nil
}

// secretOf returns what a credential stores for in: an imported hash as given, or the
// argon2id hash of a password that satisfies the policy.
func (h *Hasher) secretOf(ctx context.Context, tenantID string, in Input, p model.PasswordPreferences) (string, error) {
	if in.Hash != "" {
		if p := in.Problems(""); len(p) > 0 {
			return "", fault.Validation(p...)
		}
		// Problems checked against the process-wide limit; h's own is the one that counts.
		if err := h.CheckHash(in.Hash); err != nil {
			return "", fault.Validation(err.Error())
		}
		return strings.TrimSpace(in.Hash), nil
	}
	if err := checkPolicy(in, p); err != nil {
		return "", err
	}
	return h.Hash(ctx, tenantID, in.Password)
}

func checkPolicy(in Input, p model.PasswordPreferences) error {
	pol := PolicyFor(p)
	pol.Lenient = in.Lenient
	return pol.Check(in.Password, in.Subject)
}

// Reassign returns c as the credential of another user, for a credential built before its
// user was known (a creation that links an existing user instead).
func Reassign(c model.Credential, userID string) model.Credential {
	c.UserID, c.LookupKey = userID, userID
	return c
}
