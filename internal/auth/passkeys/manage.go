package passkeys

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// PasskeyView is a registered passkey as the users API shows it.
type PasskeyView struct {
	CredentialID      string // base64url, as browsers name it
	Name              string
	UserName          string // the account name the authenticator shows
	AAGUID            string
	Transports        []string
	BackupEligible    bool // a passkey that may be synced
	BackupState       bool // one that is backed up now
	UserVerified      bool // whether the registration verified the user
	AttestationFormat string
	Attachment        string
	SignCount         uint32
	CreatedAt         time.Time
	UpdatedAt         time.Time
	LastUsedAt        *time.Time
}

func passkeyView(c model.Credential) (PasskeyView, error) {
	d, err := decodePasskey(c)
	if err != nil {
		return PasskeyView{}, fault.Wrap(err, "read passkey")
	}
	transports := d.Transports
	if transports == nil {
		transports = []string{}
	}
	return PasskeyView{
		CredentialID: c.LookupKey, Name: c.Name, UserName: d.UserName, AAGUID: d.AAGUID, Transports: transports,
		BackupEligible: d.Flags&flagBackupEligible != 0, BackupState: d.Flags&flagBackupState != 0,
		UserVerified: d.Flags&flagUserVerified != 0, AttestationFormat: d.AttestationFormat,
		Attachment: d.Attachment, SignCount: d.SignCount, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		LastUsedAt: c.LastUsedAt,
	}, nil
}

// ListPasskeys returns the passkeys of a user c may see, oldest first.
func (p *Service) ListPasskeys(ctx context.Context, c model.Caller, userID string) ([]PasskeyView, error) {
	if _, err := p.visibleUser(ctx, p.store, c, userID); err != nil {
		return nil, err
	}
	creds, _, err := userPasskeys(ctx, p.store, c.TenantID, userID, "")
	if err != nil {
		return nil, err
	}
	out := make([]PasskeyView, 0, len(creds))
	for _, cr := range creds {
		v, err := passkeyView(cr)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// RenamePasskey changes the label of one of a user's passkeys.
func (p *Service) RenamePasskey(ctx context.Context, c model.Caller, userID, credentialID, name string) (PasskeyView, error) {
	name = strings.TrimSpace(name)
	if msg := passkeyNameProblem(name); msg != "" {
		return PasskeyView{}, fault.Validation(msg)
	}
	cred, err := p.userPasskey(ctx, c, userID, credentialID)
	if err != nil {
		return PasskeyView{}, err
	}
	now := p.s.Now()
	var out model.Credential
	err = p.store.UpdateCredential(ctx, c.TenantID, cred.ID, func(cur model.Credential) (model.Credential, error) {
		cur.Name, cur.UpdatedAt = name, now
		out = cur
		return cur, nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		return PasskeyView{}, errPasskeyNotFound
	} else if err != nil {
		return PasskeyView{}, fault.Wrap(err, "rename passkey")
	}
	return passkeyView(out)
}

// DeletePasskey deletes one of a user's passkeys.
func (p *Service) DeletePasskey(ctx context.Context, c model.Caller, userID, credentialID string) error {
	cred, err := p.userPasskey(ctx, c, userID, credentialID)
	if err != nil {
		return err
	}
	err = p.store.DeleteCredential(ctx, c.TenantID, cred.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return errPasskeyNotFound
	} else if err != nil {
		return fault.Wrap(err, "delete passkey")
	}
	return nil
}

// GetPasskey returns one passkey of a user c may see. Reading needs no ownership of the user,
// as listing does not: only changes are kept to the application that owns the user.
func (p *Service) GetPasskey(ctx context.Context, c model.Caller, userID, credentialID string) (PasskeyView, error) {
	if _, err := p.visibleUser(ctx, p.store, c, userID); err != nil {
		return PasskeyView{}, err
	}
	cred, err := p.findPasskey(ctx, c, userID, credentialID)
	if err != nil {
		return PasskeyView{}, err
	}
	return passkeyView(cred)
}

// userPasskey finds the passkey credentialID (base64url) of a user c may see and change.
func (p *Service) userPasskey(ctx context.Context, c model.Caller, userID, credentialID string) (model.Credential, error) {
	if _, err := p.visibleUser(ctx, p.store, c, userID); err != nil {
		return model.Credential{}, err
	}
	if err := directory.RequireOwn(ctx, p.store, c, userID); err != nil {
		return model.Credential{}, err
	}
	return p.findPasskey(ctx, c, userID, credentialID)
}

// findPasskey finds the passkey credentialID of userID, whose visibility the caller checked.
func (p *Service) findPasskey(ctx context.Context, c model.Caller, userID, credentialID string) (model.Credential, error) {
	if credentialID == "" || len(credentialID) > 2048 {
		return model.Credential{}, errPasskeyNotFound
	}
	cred, err := p.store.GetCredentialByLookup(ctx, c.TenantID, model.CredentialWebAuthn, credentialID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && cred.UserID != userID) {
		return model.Credential{}, errPasskeyNotFound
	} else if err != nil {
		return model.Credential{}, fault.Wrap(err, "get passkey")
	}
	return cred, nil
}
