package delivery

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
)

// Discard is the sender of model.MessageSuppressed, the stand-in message of a send answered
// with a decoy. It sends nothing; the worker leases and marks the stand-in as it does a real
// message, so that the work a send causes after its answer does not tell a decoy from a real
// send either.
type Discard struct{}

// Send does nothing.
func (Discard) Send(context.Context, model.OutboxMessage) error { return nil }
