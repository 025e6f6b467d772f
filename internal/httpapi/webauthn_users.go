package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/auth/passkeys"
)

// passkeyJSON is a registered passkey in the users API.
type passkeyJSON struct {
	CredentialID      string   `json:"credential_id"`
	Name              string   `json:"name"`
	Username          string   `json:"webauthn_username,omitempty"`
	AAGUID            string   `json:"aaguid"`
	Transports        []string `json:"transports"`
	BackupEligible    bool     `json:"backup_eligible"`
	BackupState       bool     `json:"backup_state"`
	UserVerified      bool     `json:"user_verified"`
	AttestationFormat string   `json:"attestation_format"`
	Attachment        string   `json:"authenticator_attachment,omitempty"`
	SignCount         uint32   `json:"sign_count"`
	CreatedAt         int64    `json:"created_at"`
	UpdatedAt         int64    `json:"updated_at"`
	LastUsedAt        *int64   `json:"last_used_at,omitempty"`
}

func toPasskeyJSON(v passkeys.PasskeyView) passkeyJSON {
	out := passkeyJSON{
		CredentialID: v.CredentialID, Name: v.Name, Username: v.UserName, AAGUID: v.AAGUID,
		Transports: v.Transports, BackupEligible: v.BackupEligible, BackupState: v.BackupState,
		UserVerified: v.UserVerified, AttestationFormat: v.AttestationFormat, Attachment: v.Attachment,
		SignCount: v.SignCount, CreatedAt: v.CreatedAt.UnixMilli(), UpdatedAt: v.UpdatedAt.UnixMilli(),
	}
	if v.LastUsedAt != nil {
		ms := v.LastUsedAt.UnixMilli()
		out.LastUsedAt = &ms
	}
	return out
}

func (a *webauthnAPI) list(w http.ResponseWriter, r *http.Request) error {
	list, err := a.pk.ListPasskeys(r.Context(), callerOf(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	out := make([]passkeyJSON, len(list))
	for i, v := range list {
		out[i] = toPasskeyJSON(v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": out})
	return nil
}

type passkeyNameJSON struct {
	Name string `json:"name"`
}

func (a *webauthnAPI) rename(w http.ResponseWriter, r *http.Request) error {
	var in passkeyNameJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	v, err := a.pk.RenamePasskey(r.Context(), callerOf(r), r.PathValue("user_id"), r.PathValue("credential_id"), in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": toPasskeyJSON(v)})
	return nil
}

func (a *webauthnAPI) delete(w http.ResponseWriter, r *http.Request) error {
	if err := a.pk.DeletePasskey(r.Context(), callerOf(r), r.PathValue("user_id"), r.PathValue("credential_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
