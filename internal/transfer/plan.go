package transfer

import (
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/latchkey/latchkey/internal/model"
)

// plan is one record turned into the target's records, checked and ready to store.
type plan struct {
	user  model.User
	links []model.AppUser
	creds []model.Credential // TOTP keys still opened; sealed when stored
}

// planner checks records against the target tenant and each other before anything is stored.
type planner struct {
	apps     []model.Application
	keyCheck string
	opts     ImportOptions
	dropped  int
	// seen maps the user ids, credential ids and identifiers taken so far in the file to the
	// line that took them, so that a file that names one twice is refused with both lines.
	seen map[string]int
}

func (p *planner) plan(tenantID string, r Record) (plan, error) {
	if r.Format != Format {
		return plan{}, fmt.Errorf("format %q, want %q", r.Format, Format)
	}
	u := r.User
	switch {
	case u.ID == "":
		return plan{}, errors.New("user without an id")
	case u.Status != model.UserActive && u.Status != model.UserDisabled && u.Status != model.UserPending:
		return plan{}, fmt.Errorf("user %s: status %q is not Active, Disabled or Pending", u.ID, u.Status)
	case u.CreatedAt.IsZero():
		return plan{}, fmt.Errorf("user %s: no created_at", u.ID)
	case len(u.CustomData) > 0 && !isObject(u.CustomData):
		return plan{}, fmt.Errorf("user %s: custom_data is not a JSON object", u.ID)
	}
	out := plan{user: u.model(tenantID)}
	for _, l := range r.Applications {
		appID, err := p.app(l.AppID, l.AppName)
		if err != nil {
			return plan{}, fmt.Errorf("user %s: %w", u.ID, err)
		}
		if appID == "" {
			return plan{}, fmt.Errorf("user %s: a link names no application", u.ID)
		}
		out.links = append(out.links, model.AppUser{
			TenantID: tenantID, AppID: appID, UserID: u.ID, CustomAppData: l.CustomAppData, CreatedAt: l.CreatedAt, Adopted: l.Adopted,
			ExternalAccountID: l.ExternalAccountID,
		})
	}
	recovery := false
	for _, c := range r.Credentials {
		if c.Type == model.CredentialRecovery {
			recovery = true
		}
	}
	dropRecovery := false
	if recovery && r.RecoveryKeyCheck != p.keyCheck {
		if !p.opts.DropRecoveryCodes {
			return plan{}, fmt.Errorf("user %s: the recovery codes were hashed under another master key and cannot match here; "+
				"import under the key they were exported with, or pass --drop-recovery-codes (their users then generate new ones)", u.ID)
		}
		dropRecovery = true
	}
	for _, c := range r.Credentials {
		if c.Type == model.CredentialRecovery && dropRecovery {
			p.dropped++
			continue
		}
		cred, err := p.credential(tenantID, u.ID, c)
		if err != nil {
			return plan{}, fmt.Errorf("user %s: %s credential %q: %w", u.ID, c.Type, c.ID, err)
		}
		out.creds = append(out.creds, cred)
	}
	return out, nil
}

func (p *planner) credential(tenantID, userID string, c Credential) (model.Credential, error) {
	if c.ID == "" {
		return model.Credential{}, errors.New("no id")
	}
	if c.CreatedAt.IsZero() {
		return model.Credential{}, errors.New("no created_at")
	}
	appID, err := p.app(c.AppID, c.AppName)
	if err != nil {
		return model.Credential{}, err
	}
	out := model.Credential{
		ID: c.ID, TenantID: tenantID, UserID: userID, Type: c.Type, LookupKey: c.LookupKey, Name: c.Name,
		Secret: c.Secret, Data: c.Data, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, LastUsedAt: c.LastUsedAt,
		AppID: appID, RPID: c.RPID,
	}
	switch c.Type {
	case model.CredentialPassword, model.CredentialRecovery:
		if len(c.Secret) == 0 {
			return model.Credential{}, errors.New("no secret")
		}
	case model.CredentialTOTP:
		if len(c.Secret) != 0 {
			return model.Credential{}, errors.New("a TOTP key travels in totp_secret, opened, not sealed in secret")
		}
		if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(c.TOTPSecret)); err != nil || c.TOTPSecret == "" {
			return model.Credential{}, errors.New("totp_secret is not a base32 key")
		}
		out.Secret = []byte(c.TOTPSecret)
	case model.CredentialWebAuthn:
		if c.LookupKey == "" || !isObject(c.Data) {
			return model.Credential{}, errors.New("a passkey needs its credential id (lookup_key) and its public key data")
		}
	default:
		return model.Credential{}, errors.New("unknown credential type")
	}
	if c.Type != model.CredentialTOTP && c.TOTPSecret != "" {
		return model.Credential{}, errors.New("totp_secret on a credential that is not TOTP")
	}
	if len(c.Data) > 0 && !json.Valid(c.Data) {
		return model.Credential{}, errors.New("data is not JSON")
	}
	return out, nil
}

// app finds the target's application for an exported one: the same id (a deployment imported
// into itself, or restored), or else the one of the same name. An exported credential with no
// application, or whose application was deleted before the export, maps to none.
func (p *planner) app(id, name string) (string, error) {
	if id == "" && name == "" {
		return "", nil
	}
	for _, a := range p.apps {
		if id != "" && a.ID == id {
			return a.ID, nil
		}
	}
	if name == "" {
		return "", nil
	}
	found := ""
	for _, a := range p.apps {
		if a.Name == name {
			if found != "" {
				return "", fmt.Errorf("two applications of the tenant are named %q; rename one so the import can tell which", name)
			}
			found = a.ID
		}
	}
	if found == "" {
		return "", fmt.Errorf("application %q (%s) does not exist in the tenant; create it (same name) before importing", name, id)
	}
	return found, nil
}

// claim records the ids and identifiers a record takes, refusing one an earlier line took.
func (p *planner) claim(line int, r Record) error {
	u := r.User
	keys := []string{"user id " + u.ID}
	for field, v := range map[string]string{
		"email": u.Email, "phone_number": u.PhoneNumber, "username": u.Username, "external_user_id": u.ExternalUserID,
	} {
		if v != "" {
			keys = append(keys, field+" "+v)
		}
	}
	for _, c := range r.Credentials {
		keys = append(keys, "credential id "+c.ID)
		if c.LookupKey != "" {
			keys = append(keys, c.Type+" lookup key "+c.LookupKey)
		}
	}
	for _, k := range keys {
		if prev, ok := p.seen[k]; ok {
			return fmt.Errorf("%s is also on line %d", k, prev)
		}
		p.seen[k] = line
	}
	return nil
}

func isObject(raw json.RawMessage) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(raw, &m) == nil && m != nil
}
