package passkeys

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Ceremony flows, kept with the ceremony so that each finish redeems only its own kind.
const (
	flowLogin    = "login"
	flowExternal = "external" // a registration a backend started for a user it names
	flowSelf     = "self"     // a registration a logged-in user started with their own token
)

// ceremony is what is kept between a ceremony's start and its finish, as the JSON payload of a
// one-time code whose id is the webauthn_session_id. The code is spent by the first finish,
// whatever its outcome, so a challenge is never accepted twice.
type ceremony struct {
	Flow  string       `json:"flow"`
	State []byte       `json:"state"` // the verifier's own session data
	RP    RelyingParty `json:"rp"`
	// UserName and DisplayName are the user entity of a registration.
	UserName    string `json:"user_name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	// NewUserID is the id reserved for the user an external registration creates (the
	// user handle the authenticator stores is that id); ExternalUserID is the external id
	// the registration was started for.
	NewUserID      string `json:"new_user_id,omitempty"`
	ExternalUserID string `json:"external_user_id,omitempty"`
	// Decoy marks a login started for an unknown user under enumeration protection: it was
	// answered like a real one and can never succeed.
	Decoy bool `json:"decoy,omitempty"`
	// Ticket is the id of the cross-device ticket whose authenticating device started the
	// ceremony: its finish ends that flow too (see crossdevice_finish.go).
	Ticket string `json:"ticket,omitempty"`
}

// open stores a started ceremony and returns its id. code carries the tenant, application,
// client, user, purpose and approval data; the rest is filled in here.
func (p *Service) open(ctx context.Context, code model.OneTimeCode, cer ceremony, now time.Time) (string, error) {
	payload, err := json.Marshal(cer)
	if err != nil {
		return "", fault.Wrap(err, "encode ceremony")
	}
	code.ID = model.NewID()
	code.Payload = payload
	code.MaxFailures = 1
	code.CreatedAt = now
	code.ExpiresAt = now.Add(cer.RP.Timeout)
	if err := p.store.CreateCode(ctx, code); err != nil {
		return "", fault.Wrap(err, "store ceremony")
	}
	return code.ID, nil
}

// redeem spends the ceremony id of c's application for purpose and flow (and, when userID is
// set, of that user), and returns it. A ceremony that is unknown, of another application,
// purpose, flow or user, or already spent is errCeremonyInvalid and is left as it is; an
// expired one is spent and errCeremonyExpired. Other errors are the store's.
func (p *Service) redeem(ctx context.Context, tx storage.Store, c model.Caller, id, purpose, flow, userID string, now time.Time) (model.OneTimeCode, ceremony, error) {
	var cer ceremony
	if !model.ValidID(id) {
		return model.OneTimeCode{}, cer, errCeremonyInvalid
	}
	code, err := tx.GetCode(ctx, c.TenantID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return code, cer, errCeremonyInvalid
	} else if err != nil {
		return code, cer, err
	}
	if code.AppID != c.AppID || code.Purpose != purpose || (userID != "" && code.UserID != userID) ||
		json.Unmarshal(code.Payload, &cer) != nil || cer.Flow != flow {
		return code, cer, errCeremonyInvalid
	}
	var failure error
	err = tx.UpdateCode(ctx, c.TenantID, id, func(cur model.OneTimeCode) (model.OneTimeCode, error) {
		failure = nil
		if cur.ConsumedAt != nil {
			failure = errCeremonyInvalid
			return cur, auth.ErrNoChange
		}
		if !now.Before(cur.ExpiresAt) {
			failure = errCeremonyExpired
		}
		cur.ConsumedAt = &now
		return cur, nil
	})
	if err != nil && !errors.Is(err, auth.ErrNoChange) {
		return code, cer, err
	}
	return code, cer, failure
}

// splitFailure sorts an error met inside a passkey transaction: a fault that is not internal
// is the attempt's outcome, to commit with what the attempt recorded; anything else aborts
// the transaction.
func splitFailure(err error) (failure, abort error) {
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Kind != fault.Internal {
		return fe, nil
	}
	return nil, err
}

// decodeResult splits a webauthn_encoded_result into the ceremony id and the credential JSON.
//
// The encoded result is the base64url or base64 encoding (padded or not) of a UTF-8 JSON
// object in one of two shapes:
//   - Latchkey's (what webauthn.js and EncodeResult build): the members of
//     PublicKeyCredential.toJSON() (id, rawId, type, response, authenticatorAttachment,
//     clientExtensionResults) plus "webauthn_session_id", the id the start call returned;
//   - the shape Mosaic's browser SDK builds: {"webauthnSessionId", "publicKeyCredential",
//     "userAgent"}, the credential under publicKeyCredential.
//
// sessionID, when the request also carries it beside the encoded result, must be the same.
func decodeResult(encoded, sessionID string) (string, []byte, []string) {
	encoded = strings.TrimSpace(encoded)
	switch {
	case encoded == "":
		return "", nil, []string{"webauthn_encoded_result is required"}
	case len(encoded) > maxEncodedResult:
		return "", nil, []string{"webauthn_encoded_result is too long"}
	}
	raw, err := decodeBase64(encoded)
	if err != nil {
		return "", nil, []string{"webauthn_encoded_result must be base64url or base64"}
	}
	var obj map[string]json.RawMessage
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) || json.Unmarshal(raw, &obj) != nil {
		return "", nil, []string{"webauthn_encoded_result must encode a JSON object (PublicKeyCredential.toJSON() with webauthn_session_id)"}
	}
	idKey := "webauthn_session_id"
	if pkc, ok := obj["publicKeyCredential"]; ok {
		// Mosaic's SDK shape: the credential is one member, the ceremony id another.
		var inner map[string]json.RawMessage
		if json.Unmarshal(pkc, &inner) != nil || inner == nil {
			return "", nil, []string{"webauthn_encoded_result: publicKeyCredential must be an object"}
		}
		if v, ok := obj["webauthnSessionId"]; ok {
			inner["webauthn_session_id"] = v
		}
		obj = inner
	}
	var inner string
	if v, ok := obj[idKey]; ok {
		if json.Unmarshal(v, &inner) != nil {
			return "", nil, []string{"webauthn_encoded_result: webauthn_session_id must be a string"}
		}
		delete(obj, idKey)
	}
	switch {
	case inner == "" && sessionID == "":
		return "", nil, []string{"webauthn_session_id is required, inside webauthn_encoded_result or beside it"}
	case inner != "" && sessionID != "" && inner != sessionID:
		return "", nil, []string{"webauthn_session_id differs from the one inside webauthn_encoded_result"}
	case inner == "":
		inner = sessionID
	}
	credential, err := json.Marshal(obj)
	if err != nil {
		return "", nil, []string{"webauthn_encoded_result must encode a JSON object"}
	}
	return inner, credential, nil
}

// decodeBase64 reads either base64 alphabet, with or without padding: browsers' btoa writes
// the standard one, webauthn.js the URL-safe one.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// EncodeResult builds a webauthn_encoded_result from the JSON of PublicKeyCredential.toJSON()
// and the ceremony id, as the browser script webauthn.js does. Backends written in Go and tests use it.
func EncodeResult(credentialJSON []byte, sessionID string) (string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(credentialJSON, &obj); err != nil {
		return "", err
	}
	id, err := json.Marshal(sessionID)
	if err != nil {
		return "", err
	}
	obj["webauthn_session_id"] = id
	data, err := json.Marshal(obj)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(data), nil
}
