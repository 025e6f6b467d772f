package delivery_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// memOutbox is a minimal in-memory storage.Outbox with the leasing contract of the real
// backends: a message is leased by at most one caller until its lease ends.
type memOutbox struct {
	mu    sync.Mutex
	msgs  map[string]*model.OutboxMessage
	order []string
}

var _ storage.Outbox = (*memOutbox)(nil)

func newMemOutbox() *memOutbox { return &memOutbox{msgs: map[string]*model.OutboxMessage{}} }

func (o *memOutbox) EnqueueMessage(_ context.Context, m model.OutboxMessage) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.msgs[m.ID]; ok {
		return fmt.Errorf("enqueue %s: %w", m.ID, storage.ErrAlreadyExists)
	}
	o.msgs[m.ID] = &m
	o.order = append(o.order, m.ID)
	return nil
}

func (o *memOutbox) LeaseMessages(_ context.Context, now, leaseUntil time.Time, limit int, kinds ...string) ([]model.OutboxMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []model.OutboxMessage
	for _, id := range o.order {
		if len(out) == limit {
			break
		}
		m := o.msgs[id]
		if m.DeliveredAt != nil || m.NextAttemptAt.After(now) || (m.LeaseUntil != nil && m.LeaseUntil.After(now)) {
			continue
		}
		if len(kinds) > 0 && !slices.Contains(kinds, m.Kind) {
			continue
		}
		lu := leaseUntil
		m.LeaseUntil = &lu
		out = append(out, *m)
	}
	return out, nil
}

func (o *memOutbox) ExtendLeases(_ context.Context, ids []string, held, until time.Time) (int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var n int64
	for _, id := range ids {
		m, ok := o.msgs[id]
		if ok && m.DeliveredAt == nil && m.LeaseUntil != nil && m.LeaseUntil.Equal(held) {
			u := until
			m.LeaseUntil = &u
			n++
		}
	}
	return n, nil
}

func (o *memOutbox) get(id string) (*model.OutboxMessage, error) {
	m, ok := o.msgs[id]
	if !ok {
		return nil, fmt.Errorf("message %s: %w", id, storage.ErrNotFound)
	}
	return m, nil
}

func (o *memOutbox) MarkDelivered(_ context.Context, id string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, err := o.get(id)
	if err != nil {
		return err
	}
	m.Attempts++ // as the SQL store does, a delivery counts as an attempt
	m.DeliveredAt, m.LeaseUntil = &at, nil
	return nil
}

func (o *memOutbox) MarkFailed(_ context.Context, id string, lastError string, next time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, err := o.get(id)
	if err != nil {
		return err
	}
	m.Attempts++
	m.LastError, m.NextAttemptAt, m.LeaseUntil = lastError, next, nil
	return nil
}

func (o *memOutbox) GetMessage(_ context.Context, id string) (model.OutboxMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, err := o.get(id)
	if err != nil {
		return model.OutboxMessage{}, err
	}
	return *m, nil
}

func (o *memOutbox) ListMessages(_ context.Context, tenantID string, since time.Time, limit int) ([]model.OutboxMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []model.OutboxMessage
	for _, id := range o.order {
		m := o.msgs[id]
		if m.TenantID == tenantID && !m.CreatedAt.Before(since) && len(out) < limit {
			out = append(out, *m)
		}
	}
	return out, nil
}

func (o *memOutbox) DropMessages(_ context.Context, tenantID, kind, lastError string) (int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var n int64
	for _, m := range o.msgs {
		if m.TenantID == tenantID && m.Kind == kind && m.DeliveredAt == nil && m.NextAttemptAt.Before(storage.NeverDue) {
			m.NextAttemptAt, m.LastError = storage.NeverDue, lastError
			n++
		}
	}
	return n, nil
}

func (o *memOutbox) CollectMessages(_ context.Context, before time.Time, limit int) (int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var n int64
	kept := o.order[:0]
	for _, id := range o.order {
		m := o.msgs[id]
		finished := (m.DeliveredAt != nil && m.DeliveredAt.Before(before)) ||
			(m.DeliveredAt == nil && !m.NextAttemptAt.Before(storage.NeverDue) && m.CreatedAt.Before(before))
		if finished && n < int64(limit) {
			delete(o.msgs, id)
			n++
			continue
		}
		kept = append(kept, id)
	}
	o.order = kept
	return n, nil
}
