package delivery

import (
	"context"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/storage"
)

// CollectBatch is how many finished messages one collection statement deletes: small enough
// that a collection never holds the outbox (and, on SQLite, the writer) for long.
const CollectBatch = 500

// Collect deletes the messages that finished before before (delivered, suppressed, given up
// or dropped), batch by batch, until none is left or ctx ends. Messages still owed are never
// deleted. It returns how many it deleted.
func Collect(ctx context.Context, store storage.Outbox, before time.Time, batch int) (int64, error) {
	if batch <= 0 {
		batch = CollectBatch
	}
	var total int64
	for ctx.Err() == nil {
		n, err := store.CollectMessages(ctx, before, batch)
		total += n
		if err != nil {
			return total, fmt.Errorf("collect outbox messages: %w", err)
		}
		if n < int64(batch) {
			break
		}
	}
	return total, nil
}
