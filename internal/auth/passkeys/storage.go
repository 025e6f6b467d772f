package passkeys

import (
	"context"

	"github.com/latchkey/latchkey/internal/storage"
)

// Store is what the passkey flows read and write through the store, directly and in their
// transactions: the groups of storage.Store below (ceremonies are kept as codes, cross-device
// flows as tickets). The core's
// steps they call read and write the rest (sessions, refresh tokens, audit) through the
// transaction they are given.
type Store interface {
	InTx(ctx context.Context, fn func(tx storage.Store) error) error
	storage.Applications
	storage.Clients
	storage.Users
	storage.Credentials
	storage.Codes
	storage.Counters
	storage.CrossDevice
	storage.Sessions
}
