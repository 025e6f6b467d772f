package passkeys

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// passkeyData is the public JSON of a WebAuthn credential (model.Credential.Data). Its
// LookupKey is the credential id in base64url; nothing of a passkey is secret.
type passkeyData struct {
	PublicKey  []byte   `json:"public_key"` // COSE_Key
	SignCount  uint32   `json:"sign_count"`
	AAGUID     string   `json:"aaguid"`
	Transports []string `json:"transports,omitempty"`
	// Flags are the authenticator data flags: those of the registration, with the backup
	// state updated by each login.
	Flags             byte   `json:"flags"`
	AttestationFormat string `json:"attestation_format"`
	AttestationType   string `json:"attestation_type"`
	Attachment        string `json:"attachment,omitempty"`
	UserName          string `json:"user_name,omitempty"`
	// The raw registration response is kept so that the attestation can be checked again
	// later, for instance against authenticator metadata.
	AttestationObject []byte `json:"attestation_object,omitempty"`
	ClientDataJSON    []byte `json:"client_data_json,omitempty"`
}

// credentialKey is the LookupKey of a WebAuthn credential id.
func credentialKey(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) }

func decodePasskey(c model.Credential) (passkeyData, error) {
	var d passkeyData
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return d, fmt.Errorf("decode passkey %s: %w", c.ID, err)
	}
	return d, nil
}

// stored turns a credential record into what verification needs.
func stored(c model.Credential, d passkeyData) (StoredPasskey, error) {
	id, err := base64.RawURLEncoding.DecodeString(c.LookupKey)
	if err != nil {
		return StoredPasskey{}, fmt.Errorf("decode passkey id %s: %w", c.ID, err)
	}
	aaguid, _ := hex.DecodeString(strings.ReplaceAll(d.AAGUID, "-", ""))
	return StoredPasskey{
		ID: id, PublicKey: d.PublicKey, SignCount: d.SignCount, AAGUID: aaguid, Transports: d.Transports,
		Flags: d.Flags, AttestationType: d.AttestationType, AttestationFormat: d.AttestationFormat,
	}, nil
}

// userPasskeys returns a user's WebAuthn credentials with their decoded data: those bound to
// the relying party rpID (see boundTo), or every one when rpID is empty.
func userPasskeys(ctx context.Context, st storage.Credentials, tenantID, userID, rpID string) ([]model.Credential, []StoredPasskey, error) {
	creds, err := st.ListCredentials(ctx, tenantID, userID, model.CredentialWebAuthn)
	if err != nil {
		return nil, nil, fault.Wrap(err, "list passkeys")
	}
	out := make([]StoredPasskey, 0, len(creds))
	kept := creds[:0]
	for _, c := range creds {
		d, err := decodePasskey(c)
		if err != nil {
			return nil, nil, fault.Wrap(err, "list passkeys")
		}
		if rpID != "" && !boundTo(c, d, rpID) {
			continue
		}
		kept = append(kept, c)
		sp, err := stored(c, d)
		if err != nil {
			return nil, nil, fault.Wrap(err, "list passkeys")
		}
		out = append(out, sp)
	}
	return kept, out, nil
}

// formatAAGUID writes an AAGUID in the UUID form the preferences use; anything but 16 bytes
// is taken for the zero AAGUID.
func formatAAGUID(b []byte) string {
	if len(b) != 16 {
		b = make([]byte, 16)
	}
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// authenticatorAllowed applies the application's authenticator policy, at registration and at
// every login, so that tightening it also shuts out passkeys registered before: the AAGUID
// allow or block list, and the refusal of synced (backup-eligible) passkeys.
//
// An AAGUID is only as trustworthy as the attestation that carried it: without
// enforceAttestation it is the authenticator's own claim.
func authenticatorAllowed(w model.WebAuthnPreferences, aaguid string, flags byte) error {
	if len(w.AAGUIDAllowList) > 0 && !containsFold(w.AAGUIDAllowList, aaguid) {
		return errNotAllowed("its model (AAGUID " + aaguid + ") is not in the application's allow list")
	}
	if containsFold(w.AAGUIDBlockList, aaguid) {
		return errNotAllowed("its model (AAGUID " + aaguid + ") is in the application's block list")
	}
	if !w.SyncedPasskeysAllowed() && flags&flagBackupEligible != 0 {
		return errNotAllowed("synced passkeys (backup-eligible credentials) are not allowed by this application")
	}
	return nil
}

// registrationAllowed applies the registration-only policy on top of authenticatorAllowed:
// user verification when required (the verifier checks it too; this keeps the rule here),
// and an attestation statement when enforced.
func registrationAllowed(w model.WebAuthnPreferences, rp RelyingParty, nk NewPasskey) error {
	if rp.UserVerification == model.UVRequired && nk.Flags&flagUserVerified == 0 {
		return errRegistration("user verification was required but not performed")
	}
	if w.EnforceAttestation && (nk.AttestationFormat == "" || nk.AttestationFormat == model.AttestationNone) {
		return errNotAllowed("the application requires an attestation statement, and the authenticator gave none")
	}
	return authenticatorAllowed(w, formatAAGUID(nk.AAGUID), nk.Flags)
}

// cloned reports whether an assertion's signature counter fails to advance past the stored
// one (WebAuthn §6.1.1): a sign of a cloned authenticator. Authenticators that do not keep a
// counter send zero every time, which is not a warning.
func cloned(storedCount, got uint32) bool {
	return (storedCount != 0 || got != 0) && got <= storedCount
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
