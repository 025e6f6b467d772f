package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/observe"
	"github.com/latchkey/latchkey/internal/storage"
)

// The backlog counts, per kind, the messages still owed and finds the oldest: delivered and
// given-up messages are not owed. The query is not counted among the store's statements.
func TestOutboxBacklog(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		s := NewTestStore(t, postgres)
		ctx := testContext(t)
		tenant := testTenant()
		mustDo(t, s.CreateTenant(ctx, tenant), "create tenant")
		msg := func(kind string, created time.Time) model.OutboxMessage {
			m := model.OutboxMessage{ID: model.NewID(), TenantID: tenant.ID, Kind: kind, To: "someone",
				Sealed: []byte("sealed"), NextAttemptAt: created, CreatedAt: created}
			mustDo(t, s.EnqueueMessage(ctx, m), "enqueue")
			return m
		}
		msg(model.MessageEmail, testNow.Add(-time.Minute))
		msg(model.MessageEmail, testNow.Add(-3*time.Minute))
		sent := msg(model.MessageEmail, testNow.Add(-time.Hour))
		mustDo(t, s.MarkDelivered(ctx, sent.ID, testNow), "mark delivered")
		lost := msg(model.MessageEmail, testNow.Add(-2*time.Hour))
		mustDo(t, s.MarkFailed(ctx, lost.ID, "gave up", storage.NeverDue), "give up")
		// A message waiting for its retry is owed.
		retry := msg(model.MessageSMS, testNow.Add(-10*time.Second))
		mustDo(t, s.MarkFailed(ctx, retry.ID, "451", testNow.Add(time.Hour)), "reschedule")

		statements, _ := s.Stats()
		backlog, err := s.OutboxBacklog(ctx)
		mustDo(t, err, "backlog")
		if after, _ := s.Stats(); after != statements {
			t.Errorf("the backlog query counted %d statements", after-statements)
		}
		got := map[string]Backlog{}
		for _, b := range backlog {
			got[b.Kind] = b
		}
		want := map[string]Backlog{
			model.MessageEmail: {Kind: model.MessageEmail, Messages: 2, Oldest: testNow.Add(-3 * time.Minute)},
			model.MessageSMS:   {Kind: model.MessageSMS, Messages: 1, Oldest: testNow.Add(-10 * time.Second)},
		}
		if len(got) != len(want) {
			t.Fatalf("backlog %+v, want %+v", backlog, want)
		}
		for k, w := range want {
			if g := got[k]; g.Messages != w.Messages || !g.Oldest.Equal(w.Oldest) {
				t.Errorf("%s backlog %+v, want %+v", k, g, w)
			}
		}
	})
}

func TestPools(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		s := NewTestStore(t, postgres)
		pools := s.Pools()
		var names []string
		for _, p := range pools {
			names = append(names, p.Name)
			if p.Stats.MaxOpenConnections <= 0 {
				t.Errorf("pool %s is unbounded", p.Name)
			}
		}
		want := "writer,readers"
		if postgres {
			want = "main"
		}
		if got := strings.Join(names, ","); got != want {
			t.Fatalf("pools %s, want %s", got, want)
		}
	})
}

type txTracer struct{ spans []*txSpan }

type txSpan struct {
	name  string
	kind  observe.Kind
	attrs map[string]any
	ended bool
	err   error
}

func (f *txTracer) Start(ctx context.Context, name string, kind observe.Kind) (context.Context, observe.Span) {
	s := &txSpan{name: name, kind: kind, attrs: map[string]any{}}
	f.spans = append(f.spans, s)
	return ctx, s
}
func (s *txSpan) SetAttr(k string, v any) { s.attrs[k] = v }
func (s *txSpan) SetName(string)          {}
func (s *txSpan) End(err error)           { s.ended, s.err = true, err }
func (s *txSpan) TraceID() string         { return "" }

// Each transaction, not each nested InTx, is one span that ends with the transaction's error.
func TestTransactionSpans(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		s := NewTestStore(t, postgres)
		tr := &txTracer{}
		s.SetTracer(tr)
		ctx := testContext(t)
		mustDo(t, s.InTx(ctx, func(tx storage.Store) error {
			return tx.InTx(ctx, func(storage.Store) error { return nil })
		}), "tx")
		boom := errors.New("boom")
		if err := s.InTx(ctx, func(storage.Store) error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v", err)
		}
		if len(tr.spans) != 2 {
			t.Fatalf("%d spans for two transactions", len(tr.spans))
		}
		system := map[bool]string{false: "sqlite", true: "postgresql"}[postgres]
		for i, sp := range tr.spans {
			if sp.name != "db.transaction" || sp.kind != observe.Client || !sp.ended || sp.attrs["db.system"] != system {
				t.Errorf("span %d: %+v", i, sp)
			}
		}
		if tr.spans[0].err != nil || !errors.Is(tr.spans[1].err, boom) {
			t.Errorf("span errors %v, %v", tr.spans[0].err, tr.spans[1].err)
		}
	})
}
