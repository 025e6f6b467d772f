package storagetest

import (
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var outboxTests = []namedTest{
	{"RoundTrip", testMessageRoundTrip},
	{"LeaseOnlyDue", testLeaseOnlyDue},
	{"LeaseLimit", testLeaseLimit},
	{"LeaseByKind", testLeaseByKind},
	{"ExtendLeases", testExtendLeases},
	{"MarkFailed", testMarkFailed},
	{"MarkDelivered", testMarkDelivered},
	{"ListMessages", testListMessages},
}

// lease leases messages and fails the test on error.
func lease(t *testing.T, s storage.Store, now, until time.Time, limit int) []model.OutboxMessage {
	t.Helper()
	list, err := s.LeaseMessages(t.Context(), now, until, limit)
	must(t, err, "lease messages")
	return list
}

func sortedIDs[T any](list []T) []string {
	ids := idsOf(list)
	slices.Sort(ids)
	return ids
}

func testMessageRoundTrip(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	want := makeMessage(tenant.ID, base)
	want.Attempts = 2
	want.LastError = "421 try again later"
	want.NextAttemptAt = at(time.Minute)
	newMessage(t, s, want)
	got, err := s.GetMessage(t.Context(), want.ID)
	must(t, err, "get message")
	wantEqual(t, "GetMessage", got, want)

	sms := model.OutboxMessage{ID: model.NewID(), TenantID: tenant.ID, Kind: model.MessageSMS, To: "+15550100",
		Sealed: []byte{0, 1, 2, 0xff}, NextAttemptAt: base, CreatedAt: base}
	newMessage(t, s, sms)
	got, err = s.GetMessage(t.Context(), sms.ID)
	must(t, err, "get SMS message")
	wantEqual(t, "GetMessage of an SMS", got, sms)

	_, err = s.GetMessage(t.Context(), model.NewID())
	wantNotFound(t, err, "GetMessage of a missing id")
}

func testLeaseOnlyDue(t *testing.T, s storage.Store) {
	a, b := newTenant(t, s), newTenant(t, s)
	now := base
	var due []model.OutboxMessage
	for i, tenantID := range []string{a.ID, a.ID, b.ID} {
		due = append(due, newMessage(t, s, makeMessage(tenantID, at(-time.Duration(i+1)*time.Minute))))
	}
	future := makeMessage(a.ID, at(-time.Minute))
	future.NextAttemptAt = at(time.Minute)
	newMessage(t, s, future)
	delivered := newMessage(t, s, makeMessage(a.ID, at(-time.Hour)))
	must(t, s.MarkDelivered(t.Context(), delivered.ID, at(-30*time.Minute)), "mark delivered")

	if got := lease(t, s, now, at(5*time.Minute), 10); !slices.Equal(sortedIDs(got), sortedIDs(due)) {
		t.Errorf("LeaseMessages: got %v, want the due messages %v", sortedIDs(got), sortedIDs(due))
	} else {
		for _, m := range got {
			if m.LeaseUntil == nil || !m.LeaseUntil.Equal(at(5*time.Minute)) {
				t.Errorf("leased message %s: LeaseUntil = %v, want %v", m.ID, m.LeaseUntil, at(5*time.Minute))
			}
		}
	}
	stored, err := s.GetMessage(t.Context(), due[0].ID)
	must(t, err, "get leased message")
	if stored.LeaseUntil == nil || !stored.LeaseUntil.Equal(at(5*time.Minute)) {
		t.Errorf("stored leased message: LeaseUntil = %v, want %v", stored.LeaseUntil, at(5*time.Minute))
	}

	// While the lease lasts, nobody else gets them.
	if got := lease(t, s, at(time.Second), at(10*time.Minute), 10); len(got) != 0 {
		t.Errorf("LeaseMessages during the lease: got %v, want none", idsOf(got))
	}
	// Once it has ended, they are due again, with the message that has become due since.
	want := append(slices.Clone(due), future)
	if got := lease(t, s, at(6*time.Minute), at(11*time.Minute), 10); !slices.Equal(sortedIDs(got), sortedIDs(want)) {
		t.Errorf("LeaseMessages after the lease ended: got %v, want %v", sortedIDs(got), sortedIDs(want))
	}
}

func testLeaseLimit(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	var all []string
	for i := range 5 {
		all = append(all, newMessage(t, s, makeMessage(tenant.ID, at(-time.Duration(i+1)*time.Minute))).ID)
	}
	first := lease(t, s, base, at(time.Minute), 2)
	if len(first) != 2 {
		t.Fatalf("LeaseMessages with limit 2: got %d messages", len(first))
	}
	rest := lease(t, s, base, at(time.Minute), 10)
	if len(rest) != 3 {
		t.Errorf("LeaseMessages of the rest: got %d messages, want 3", len(rest))
	}
	got := append(sortedIDs(first), sortedIDs(rest)...)
	slices.Sort(got)
	slices.Sort(all)
	if !slices.Equal(got, all) {
		t.Errorf("messages leased in two calls: got %v, want each of %v once", got, all)
	}
}

func testMarkFailed(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	m := newMessage(t, s, makeMessage(tenant.ID, at(-time.Minute)))
	if got := lease(t, s, base, at(5*time.Minute), 10); len(got) != 1 {
		t.Fatalf("LeaseMessages: got %v, want the one message", idsOf(got))
	}
	next := at(10 * time.Minute)
	must(t, s.MarkFailed(t.Context(), m.ID, "connection refused", next), "mark failed")
	got, err := s.GetMessage(t.Context(), m.ID)
	must(t, err, "get message")
	if got.LastError != "connection refused" {
		t.Errorf("after MarkFailed: LastError = %q, want %q", got.LastError, "connection refused")
	}
	if got.LeaseUntil != nil {
		t.Errorf("after MarkFailed: LeaseUntil = %v, want nil (lease ended)", *got.LeaseUntil)
	}
	if !got.NextAttemptAt.Equal(next) {
		t.Errorf("after MarkFailed: NextAttemptAt = %v, want %v", got.NextAttemptAt, next)
	}
	if got.Attempts <= m.Attempts {
		t.Errorf("after MarkFailed: Attempts = %d, want more than %d", got.Attempts, m.Attempts)
	}
	if got.DeliveredAt != nil {
		t.Errorf("after MarkFailed: DeliveredAt = %v, want nil", *got.DeliveredAt)
	}
	// Not due before next, even though the lease would have ended.
	if got := lease(t, s, at(6*time.Minute), at(7*time.Minute), 10); len(got) != 0 {
		t.Errorf("LeaseMessages before the retry time: got %v, want none", idsOf(got))
	}
	if got := lease(t, s, at(11*time.Minute), at(12*time.Minute), 10); len(got) != 1 || got[0].ID != m.ID {
		t.Errorf("LeaseMessages after the retry time: got %v, want %s", idsOf(got), m.ID)
	}
}

func testMarkDelivered(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	m := newMessage(t, s, makeMessage(tenant.ID, at(-time.Minute)))
	if got := lease(t, s, base, at(5*time.Minute), 10); len(got) != 1 {
		t.Fatalf("LeaseMessages: got %v, want the one message", idsOf(got))
	}
	must(t, s.MarkDelivered(t.Context(), m.ID, at(time.Second)), "mark delivered")
	got, err := s.GetMessage(t.Context(), m.ID)
	must(t, err, "get message")
	if got.DeliveredAt == nil || !got.DeliveredAt.Equal(at(time.Second)) {
		t.Errorf("after MarkDelivered: DeliveredAt = %v, want %v", got.DeliveredAt, at(time.Second))
	}
	if got.LeaseUntil != nil {
		t.Errorf("after MarkDelivered: LeaseUntil = %v, want nil (lease ended)", *got.LeaseUntil)
	}
	if got := lease(t, s, at(oneDay), at(oneDay+time.Minute), 10); len(got) != 0 {
		t.Errorf("LeaseMessages after delivery: got %v, want none", idsOf(got))
	}
}

func testListMessages(t *testing.T, s storage.Store) {
	a, b := newTenant(t, s), newTenant(t, s)
	byAge := map[time.Duration]model.OutboxMessage{}
	for _, off := range []time.Duration{time.Minute, -2 * time.Minute, 0, -time.Minute} {
		byAge[off] = newMessage(t, s, makeMessage(a.ID, at(off)))
	}
	newMessage(t, s, makeMessage(b.ID, base))

	list, err := s.ListMessages(t.Context(), a.ID, at(-time.Minute), 10)
	must(t, err, "list messages")
	wantList(t, "ListMessages since a minute ago", list, []model.OutboxMessage{byAge[-time.Minute], byAge[0], byAge[time.Minute]})
	list, err = s.ListMessages(t.Context(), a.ID, at(-time.Hour), 2)
	must(t, err, "list messages")
	wantIDs(t, "ListMessages with limit 2", list, byAge[-2*time.Minute].ID, byAge[-time.Minute].ID)
	list, err = s.ListMessages(t.Context(), a.ID, at(time.Hour), 10)
	must(t, err, "list messages")
	if len(list) != 0 {
		t.Errorf("ListMessages since the future: got %v, want none", idsOf(list))
	}
}

// testLeaseByKind checks that a lease restricted to kinds claims only messages of those kinds
// and leaves the others for another worker.
func testLeaseByKind(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	email := makeMessage(tenant.ID, base)
	sms := model.OutboxMessage{ID: model.NewID(), TenantID: tenant.ID, Kind: model.MessageSMS, To: "+15550100",
		Sealed: []byte("code"), NextAttemptAt: base, CreatedAt: base}
	hook := model.OutboxMessage{ID: model.NewID(), TenantID: tenant.ID, Kind: model.MessageAuditWebhook,
		To: "https://siem.example/hook", Sealed: []byte("{}"), NextAttemptAt: base, CreatedAt: base}
	for _, m := range []model.OutboxMessage{email, sms, hook} {
		newMessage(t, s, m)
	}
	got, err := s.LeaseMessages(t.Context(), base, at(time.Minute), 10, model.MessageEmail, model.MessageSMS)
	must(t, err, "lease sign-in messages")
	if want := sortedIDs([]model.OutboxMessage{email, sms}); !slices.Equal(sortedIDs(got), want) {
		t.Errorf("lease of email and SMS: got %v, want %v", sortedIDs(got), want)
	}
	got, err = s.LeaseMessages(t.Context(), base, at(time.Minute), 10, model.MessageAuditWebhook)
	must(t, err, "lease webhooks")
	if len(got) != 1 || got[0].ID != hook.ID {
		t.Errorf("lease of webhooks: got %v, want %s", idsOf(got), hook.ID)
	}
	if rest := lease(t, s, base, at(time.Minute), 10); len(rest) != 0 {
		t.Errorf("everything is leased, yet a lease of all kinds got %v", idsOf(rest))
	}
}

// A worker extends, and hands back, only the leases it holds.
func testExtendLeases(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	a, b, c := makeMessage(tenant.ID, base), makeMessage(tenant.ID, base), makeMessage(tenant.ID, base)
	for _, m := range []model.OutboxMessage{a, b, c} {
		newMessage(t, s, m)
	}
	held := at(time.Minute)
	got := lease(t, s, base, held, 2)
	if len(got) != 2 {
		t.Fatalf("leased %d messages, want 2", len(got))
	}
	mine := idsOf(got)
	other := a.ID
	for _, id := range []string{a.ID, b.ID, c.ID} {
		if !slices.Contains(mine, id) {
			other = id
		}
	}
	// The unleased message, and a missing id, are not extended.
	n, err := s.ExtendLeases(t.Context(), append(slices.Clone(mine), other, model.NewID()), held, at(2*time.Minute))
	must(t, err, "extend leases")
	if n != 2 {
		t.Fatalf("extended %d leases, want the 2 held", n)
	}
	for _, id := range mine {
		m, err := s.GetMessage(t.Context(), id)
		must(t, err, "get message")
		if m.LeaseUntil == nil || !m.LeaseUntil.Equal(at(2*time.Minute)) {
			t.Fatalf("lease of %s ends at %v, want %v", id, m.LeaseUntil, at(2*time.Minute))
		}
	}
	if m, _ := s.GetMessage(t.Context(), other); m.LeaseUntil != nil {
		t.Fatalf("the unleased message got a lease until %v", m.LeaseUntil)
	}
	// The old end no longer holds anything: a worker whose lease moved on cannot extend it.
	n, err = s.ExtendLeases(t.Context(), mine, held, at(time.Hour))
	must(t, err, "extend with a stale end")
	if n != 0 {
		t.Fatalf("a stale lease end extended %d leases", n)
	}
	// Handing one back makes it due at once, without counting an attempt.
	n, err = s.ExtendLeases(t.Context(), mine[:1], at(2*time.Minute), base)
	must(t, err, "hand back")
	if n != 1 {
		t.Fatalf("handed back %d, want 1", n)
	}
	again := lease(t, s, base.Add(time.Millisecond), at(3*time.Minute), 5)
	ids := idsOf(again)
	if !slices.Contains(ids, mine[0]) || slices.Contains(ids, mine[1]) {
		t.Fatalf("after handing %s back, leased %v", mine[0], ids)
	}
	for _, m := range again {
		if m.ID == mine[0] && m.Attempts != 0 {
			t.Fatalf("handing back counted %d attempts", m.Attempts)
		}
	}
	// A delivered message keeps no lease to extend.
	must(t, s.MarkDelivered(t.Context(), mine[1], base), "mark delivered")
	if n, _ := s.ExtendLeases(t.Context(), mine[1:], at(2*time.Minute), at(time.Hour)); n != 0 {
		t.Fatalf("extended a delivered message's lease")
	}
}
