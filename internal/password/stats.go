package password

import (
	"context"

	"github.com/latchkey/latchkey/internal/observe"
)

// PoolStats is a moment of the hashing pool: its workers, the calls running on them and the
// calls waiting for one.
type PoolStats struct {
	Workers, Running, Waiting, Room int
}

// PoolStats reads the pool's counts, under its lock: cheap enough for every scrape.
func (h *Hasher) PoolStats() PoolStats {
	p := h.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Workers: p.workers, Running: p.running, Waiting: p.waiting, Room: p.room}
}

// run runs f on the pool for tenantID inside a span named name, when tracing is on.
func (h *Hasher) run(ctx context.Context, name, tenantID string, f func()) (err error) {
	ctx, span := observe.Start(ctx, h.tracer, name)
	defer func() { span.End(err) }()
	return h.pool.run(ctx, tenantID, f)
}
