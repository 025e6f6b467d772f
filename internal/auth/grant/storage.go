package grant

import (
	"context"

	"github.com/latchkey/latchkey/internal/storage"
)

// Store is what the token flows read and write through the store, directly and in their
// transactions: refresh tokens, the sessions they belong to, and the clients they were issued
// to. The core's steps they call read and write the rest through the transaction they are given.
type Store interface {
	InTx(ctx context.Context, fn func(tx storage.Store) error) error
	storage.RefreshTokens
	storage.Sessions
	storage.Clients
}
