package delivery

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/sealing"
	"github.com/latchkey/latchkey/internal/secret"
)

// sealedBody is what a message's Sealed holds.
type sealedBody struct {
	Subject string `json:"s,omitempty"`
	Text    string `json:"t,omitempty"`
	HTML    string `json:"h,omitempty"`
}

// SealMessage returns m with its subject and bodies sealed under keys into m.Sealed and
// cleared, the only form in which the outbox stores them. The seal is bound to the message's
// tenant, id, kind and recipient: a body copied to another row, or a row whose recipient was
// changed, does not open. Call it after every field the seal binds is final.
func SealMessage(keys *secret.Keys, m model.OutboxMessage) (model.OutboxMessage, error) {
	if keys == nil {
		return m, errors.New("seal message: no keys")
	}
	plain, err := json.Marshal(sealedBody{Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	if err != nil {
		return m, fmt.Errorf("seal message: %w", err)
	}
	sealed, err := keys.Seal(plain, sealing.MessageAD(m.TenantID, m.ID, m.Kind, m.To))
	if err != nil {
		return m, fmt.Errorf("seal message: %w", err)
	}
	m.Sealed, m.Subject, m.Text, m.HTML = sealed, "", "", ""
	return m, nil
}

// OpenMessage returns m with its subject and bodies opened from m.Sealed. A message without a
// sealed body (one queued before bodies were sealed) is returned as it is.
func OpenMessage(keys *secret.Keys, m model.OutboxMessage) (model.OutboxMessage, error) {
	if len(m.Sealed) == 0 {
		return m, nil
	}
	if keys == nil {
		return m, errors.New("open message: no keys")
	}
	plain, err := keys.Open(m.Sealed, sealing.MessageAD(m.TenantID, m.ID, m.Kind, m.To))
	if err != nil {
		return m, fmt.Errorf("open message %s: %w", m.ID, err)
	}
	var b sealedBody
	if err := json.Unmarshal(plain, &b); err != nil {
		return m, fmt.Errorf("open message %s: %w", m.ID, err)
	}
	m.Subject, m.Text, m.HTML, m.Sealed = b.Subject, b.Text, b.HTML, nil
	return m, nil
}
