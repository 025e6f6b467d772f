package deliverytest

import (
	"context"
	"fmt"
	"sync"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
)

var _ delivery.Sender = (*Recorder)(nil)

// Recorder is a delivery.Sender that records the messages it is given. It is safe for
// concurrent use.
type Recorder struct {
	mu       sync.Mutex
	messages []model.OutboxMessage
	fails    []error       // errors returned by the next sends, in order
	changed  chan struct{} // closed and replaced whenever a message is recorded
}

// NewRecorder returns an empty Recorder. The zero Recorder is ready to use too.
func NewRecorder() *Recorder { return &Recorder{} }

// Send records m, or returns the next error queued by Fail without recording anything.
func (r *Recorder) Send(ctx context.Context, m model.OutboxMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.fails) > 0 {
		err := r.fails[0]
		r.fails = r.fails[1:]
		return err
	}
	r.messages = append(r.messages, m)
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
	return nil
}

// Fail makes the next n sends return err.
func (r *Recorder) Fail(n int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range n {
		r.fails = append(r.fails, err)
	}
}

// Messages returns the recorded messages, oldest first.
func (r *Recorder) Messages() []model.OutboxMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]model.OutboxMessage(nil), r.messages...)
}

// Last returns the newest message recorded for to.
func (r *Recorder) Last(to string) (model.OutboxMessage, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.messages) - 1; i >= 0; i-- {
		if r.messages[i].To == to {
			return r.messages[i], true
		}
	}
	return model.OutboxMessage{}, false
}

// WaitFor waits until at least n messages to `to` are recorded and returns them all, or
// returns an error when ctx ends first.
func (r *Recorder) WaitFor(ctx context.Context, to string, n int) ([]model.OutboxMessage, error) {
	for {
		r.mu.Lock()
		var got []model.OutboxMessage
		for _, m := range r.messages {
			if m.To == to {
				got = append(got, m)
			}
		}
		if len(got) >= n {
			r.mu.Unlock()
			return got, nil
		}
		if r.changed == nil {
			r.changed = make(chan struct{})
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return got, fmt.Errorf("wait for %d messages to %s (got %d): %w", n, to, len(got), ctx.Err())
		case <-changed:
		}
	}
}
