package sealing

import (
	"fmt"

	"github.com/latchkey/latchkey/internal/storage"
)

// SigningKeyAD is the additional data of a signing key's sealed private part.
func SigningKeyAD(tenantID, kid string) []byte {
	return []byte("latchkey signing key\x00" + tenantID + "\x00" + kid)
}

// TOTPAD is the additional data of a TOTP credential's sealed key.
func TOTPAD(tenantID, credentialID string) []byte {
	return []byte("totp:" + tenantID + ":" + credentialID)
}

// WebhookAD is the additional data of a tenant's sealed webhook secret.
func WebhookAD(tenantID string) []byte {
	return []byte("webhook:" + tenantID)
}

// MessageAD is the additional data of an outbox message's sealed body: a body moved to another
// message, kind or recipient does not open.
func MessageAD(tenantID, messageID, kind, to string) []byte {
	return []byte("latchkey outbox message\x00" + tenantID + "\x00" + messageID + "\x00" + kind + "\x00" + to)
}

// SessionIDAD is the additional data of a session's sealed id: it binds the id to the tenant
// and to the reference the session is stored under, so that a sealed id copied into another
// session's row does not open there (and no refresh of that session can answer with it).
func SessionIDAD(tenantID, sessionRef string) []byte {
	return []byte("latchkey session id\x00" + tenantID + "\x00" + sessionRef)
}

// CheckAD is the additional data of a check value.
func CheckAD(name string) []byte {
	return []byte("latchkey master key check\x00" + name)
}

// adOf returns the additional data of a stored sealed value.
func adOf(v storage.SealedValue) ([]byte, error) {
	switch v.Kind {
	case storage.SealedSigningKey:
		return SigningKeyAD(v.TenantID, v.ID), nil
	case storage.SealedTOTP:
		return TOTPAD(v.TenantID, v.ID), nil
	case storage.SealedWebhookSecret:
		return WebhookAD(v.TenantID), nil
	case storage.SealedMessage:
		return MessageAD(v.TenantID, v.ID, v.MessageKind, v.To), nil
	case storage.SealedSessionID:
		return SessionIDAD(v.TenantID, v.ID), nil
	case storage.SealedCheck:
		return CheckAD(v.ID), nil
	}
	return nil, fmt.Errorf("unknown kind of sealed value %q", v.Kind)
}
