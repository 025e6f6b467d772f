package session

import (
	"context"

	"github.com/latchkey/latchkey/internal/storage"
)

// Store is what the session flows read and write through the store, directly and in their
// transactions: sessions and the users and clients they belong to. The core's steps they call
// read and write the rest (refresh tokens, audit) through the transaction they are given.
type Store interface {
	InTx(ctx context.Context, fn func(tx storage.Store) error) error
	storage.Sessions
	storage.Users
	storage.Clients
}
