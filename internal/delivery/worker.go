package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// Worker defaults.
const (
	DefaultPollInterval = time.Second
	// DefaultLease is short because a worker extends the leases it holds every third of a
	// lease while it works (see keepLease): a live worker keeps its messages however long its
	// sends take, and a crashed one's come due again within this time.
	DefaultLease       = 15 * time.Second
	DefaultBatch       = 20
	DefaultSendTimeout = 30 * time.Second
)

// storeTimeout bounds each outbox update. Updates run on a context detached from the worker's,
// so that a message sent just before shutdown is still recorded as delivered.
const storeTimeout = 10 * time.Second

// maxLastError bounds the error text kept on a message.
const maxLastError = 1000

// WorkerOptions configure a Worker. Zero values mean the defaults.
type WorkerOptions struct {
	Logger       *slog.Logger
	Now          func() time.Time
	PollInterval time.Duration // how often to look for due messages without a Notify; 1s
	Lease        time.Duration // how long a lease lasts unless extended; 15s
	SendTimeout  time.Duration // how long one send may take; 30s
	Batch        int           // how many messages to lease at once; 20
	MaxAttempts  int           // failed attempts before a message is abandoned; 12
	// Kinds limits the worker to messages of these kinds (all kinds when empty), so that a
	// separate worker can serve slow kinds without holding up sign-in codes.
	Kinds []string
	// Keys open the sealed bodies of messages (see SealMessage). A sealed message that does
	// not open is given up.
	Keys *secret.Keys
	// Recorder counts sends and their outcomes; nil counts nothing.
	Recorder Recorder
}

// Worker delivers outbox messages: it leases due messages, sends each through the Sender
// registered for its kind, and records the outcome. Several workers, in one process or in
// several, may share one store.
type Worker struct {
	store   storage.Outbox
	senders map[string]Sender
	opts    WorkerOptions
	wake    chan struct{}
}

// NewWorker returns a worker that delivers the messages of store; senders maps a message kind
// (model.MessageEmail, model.MessageSMS) to its Sender.
func NewWorker(store storage.Outbox, senders map[string]Sender, opts WorkerOptions) *Worker {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = DefaultSendTimeout
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultBatch
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	copied := make(map[string]Sender, len(senders))
	for kind, s := range senders {
		copied[kind] = s
	}
	return &Worker{store: store, senders: copied, opts: opts, wake: make(chan struct{}, 1)}
}

// Notify wakes the worker without waiting for the poll interval. It never blocks; callers
// call it after committing a transaction that enqueued a message.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers messages until ctx is done, then returns nil. Storage errors are logged and
// retried at the next poll.
func (w *Worker) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if _, err := w.DrainOnce(ctx); err != nil && ctx.Err() == nil {
			w.opts.Logger.Error("outbox delivery pass failed", "error", err)
		}
		timer.Reset(w.opts.PollInterval)
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-timer.C:
		}
	}
}

// DrainOnce makes one delivery pass: it leases and processes batches until no message is due,
// and returns how many messages it delivered. Messages that fail are rescheduled, not retried
// within the pass.
func (w *Worker) DrainOnce(ctx context.Context) (int, error) {
	delivered := 0
	for ctx.Err() == nil {
		now := w.opts.Now()
		leaseUntil := now.Add(w.opts.Lease)
		batch, err := w.store.LeaseMessages(ctx, now, leaseUntil, w.opts.Batch, w.opts.Kinds...)
		if err != nil {
			return delivered, fmt.Errorf("lease outbox messages: %w", err)
		}
		if len(batch) == 0 {
			return delivered, nil
		}
		n, err := w.processBatch(ctx, batch, leaseUntil)
		delivered += n
		if err != nil {
			return delivered, err
		}
	}
	return delivered, nil
}

// processBatch sends the leased messages one by one while keepLease extends their leases. It
// stops at the first storage error, since the store is then likely unreachable; unprocessed
// messages come due again when their lease ends.
func (w *Worker) processBatch(ctx context.Context, batch []model.OutboxMessage, leaseUntil time.Time) (int, error) {
	ids := make([]string, len(batch))
	for i, m := range batch {
		ids[i] = m.ID
	}
	held := &heldLease{until: leaseUntil}
	// Sends run under sendCtx, which keepLease cancels when the lease is about to end without
	// having been extended: past its end another worker may take the message.
	sendCtx, lost := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.keepLease(sendCtx, ids, held, lost)
	}()
	stopKeeping := func() {
		lost()
		<-done
	}
	delivered := 0
	for i, m := range batch {
		if ctx.Err() != nil {
			// Shutting down: hand the rest back at once rather than at the end of the lease.
			stopKeeping()
			return delivered, w.handBack(ctx, ids[i:], held.get())
		}
		if sendCtx.Err() != nil {
			break // the lease could not be kept: the rest come due when it ends
		}
		ok, err := w.process(ctx, sendCtx, m)
		if ok {
			delivered++
		}
		if err != nil {
			stopKeeping()
			return delivered, err
		}
	}
	stopKeeping()
	return delivered, nil
}

// heldLease is the end of a batch's leases, moved on by keepLease.
type heldLease struct {
	mu    sync.Mutex
	until time.Time
}

func (h *heldLease) get() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.until
}

func (h *heldLease) set(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.until = t
}

// keepLease extends the leases of the batch's messages every third of a lease until ctx ends.
// Messages already delivered or failed have no lease left to extend. When the lease comes
// within a quarter of its end without an extension (the store is unreachable), it calls lost,
// so that no send outlives the lease and races another worker's.
func (w *Worker) keepLease(ctx context.Context, ids []string, held *heldLease, lost context.CancelFunc) {
	every := w.opts.Lease / 3
	timer := time.NewTimer(every)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		now := w.opts.Now()
		until := held.get()
		next := now.Add(w.opts.Lease)
		storeCtx, cancel := context.WithTimeout(ctx, every)
		_, err := w.store.ExtendLeases(storeCtx, ids, until, next)
		cancel()
		if err == nil {
			held.set(next)
			until = next
		} else if ctx.Err() == nil {
			w.opts.Logger.Warn("outbox leases not extended", "error", err, "lease_until", until)
		}
		left := until.Sub(now) - w.opts.Lease/4
		if left <= 0 {
			lost()
			return
		}
		timer.Reset(min(every, left))
	}
}

// process sends one message under sendCtx and records the outcome; ctx ends only at shutdown.
// It reports whether the message was delivered; the error is a storage error only.
func (w *Worker) process(ctx, sendCtx context.Context, m model.OutboxMessage) (bool, error) {
	sender, ok := w.senders[m.Kind]
	if !ok {
		return false, w.fail(ctx, m, Permanent(fmt.Errorf("no sender configured for message kind %q", m.Kind)))
	}
	// The body is opened here, just before the send, and never written back.
	opened, err := OpenMessage(w.opts.Keys, m)
	if err != nil {
		return false, w.fail(ctx, m, Permanent(err))
	}
	sendCtx, cancel := context.WithTimeout(sendCtx, w.opts.SendTimeout)
	sent := time.Now()
	err = sender.Send(sendCtx, opened)
	cancel()
	w.countSend(m.Kind, err, time.Since(sent))
	if err != nil {
		return false, w.fail(ctx, m, err)
	}
	storeCtx, cancelStore := w.storeContext(ctx)
	defer cancelStore()
	if err := w.store.MarkDelivered(storeCtx, m.ID, w.opts.Now()); err != nil {
		// The message went out but will be sent again when its lease ends.
		w.opts.Logger.Error("outbox message sent but not marked delivered; it may be sent twice",
			"message_id", m.ID, "error", err)
		return true, fmt.Errorf("mark message %s delivered: %w", m.ID, err)
	}
	w.opts.Logger.Debug("outbox message delivered", "message_id", m.ID, "kind", m.Kind, "attempts", m.Attempts+1)
	w.countSettled(m.Kind, ResultDelivered)
	return true, nil
}

// fail records a failed attempt and schedules the next one, or abandons the message.
func (w *Worker) fail(ctx context.Context, m model.OutboxMessage, sendErr error) error {
	now := w.opts.Now()
	failures := m.Attempts + 1 // MarkFailed counts this attempt
	log := w.opts.Logger.With("message_id", m.ID, "tenant_id", m.TenantID, "kind", m.Kind, "attempts", failures)
	var next time.Time
	var lastError string
	switch {
	case ctx.Err() != nil:
		// Interrupted by shutdown: due again at once, for whichever worker runs next.
		next, lastError = now, "interrupted: "+sendErr.Error()
		log.Info("outbox delivery interrupted", "error", sendErr)
	case IsPermanent(sendErr):
		next, lastError = FarFuture, "permanent failure: "+sendErr.Error()
		log.Error("outbox message undeliverable; giving up", "error", sendErr)
		w.countSettled(m.Kind, ResultAbandoned)
	case failures >= w.opts.MaxAttempts:
		next, lastError = FarFuture, fmt.Sprintf("gave up after %d attempts: %s", failures, sendErr)
		log.Error("outbox message still failing; giving up", "error", sendErr)
		w.countSettled(m.Kind, ResultAbandoned)
	default:
		next, lastError = now.Add(jittered(RetryDelay(failures))), sendErr.Error()
		log.Warn("outbox delivery failed; will retry", "error", sendErr, "next_attempt_at", next)
	}
	storeCtx, cancel := w.storeContext(ctx)
	defer cancel()
	if err := w.store.MarkFailed(storeCtx, m.ID, truncate(lastError, maxLastError), next); err != nil {
		return fmt.Errorf("mark message %s failed: %w", m.ID, err)
	}
	return nil
}

// handBack ends the leases of unattempted messages so that they are due at once for the
// next worker, without counting an attempt.
func (w *Worker) handBack(ctx context.Context, ids []string, held time.Time) error {
	storeCtx, cancel := w.storeContext(ctx)
	defer cancel()
	if _, err := w.store.ExtendLeases(storeCtx, ids, held, w.opts.Now()); err != nil {
		return fmt.Errorf("hand back %d messages: %w", len(ids), err)
	}
	return nil
}

func (w *Worker) storeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
}

// truncate shortens s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
