package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var outboxFinishTests = []namedTest{
	{"EnqueueRefusesClearBodies", testEnqueueRefusesClearBodies},
	{"DropMessages", testDropMessages},
	{"CollectMessages", testCollectMessages},
}

// testEnqueueRefusesClearBodies checks that no message is stored with its subject or body
// readable, whatever its kind.
func testEnqueueRefusesClearBodies(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	for _, clear := range []func(*model.OutboxMessage){
		func(m *model.OutboxMessage) { m.Subject = "Your code" },
		func(m *model.OutboxMessage) { m.Text = "Your code is 123456" },
		func(m *model.OutboxMessage) { m.HTML = "<b>123456</b>" },
		func(m *model.OutboxMessage) { m.Kind, m.Text = model.MessageAuditWebhook, `{"type":"login.succeeded"}` },
	} {
		m := makeMessage(tenant.ID, base)
		clear(&m)
		if err := s.EnqueueMessage(t.Context(), m); err == nil {
			t.Errorf("a message with a clear body was stored: %+v", m)
		}
		_, err := s.GetMessage(t.Context(), m.ID)
		wantNotFound(t, err, "GetMessage of a refused message")
	}
}

// testDropMessages checks that dropping finishes exactly the tenant's owed messages of the
// kind.
func testDropMessages(t *testing.T, s storage.Store) {
	a, b := newTenant(t, s), newTenant(t, s)
	hook := func(tenantID string) model.OutboxMessage {
		m := makeMessage(tenantID, base)
		m.Kind, m.To = model.MessageAuditWebhook, "https://old.example/hook"
		return newMessage(t, s, m)
	}
	owed, failing, delivered := hook(a.ID), hook(a.ID), hook(a.ID)
	must(t, s.MarkFailed(t.Context(), failing.ID, "503", at(time.Minute)), "mark failed")
	must(t, s.MarkDelivered(t.Context(), delivered.ID, base), "mark delivered")
	otherTenant := hook(b.ID)
	email := newMessage(t, s, makeMessage(a.ID, base))

	n, err := s.DropMessages(t.Context(), a.ID, model.MessageAuditWebhook, "dropped: webhook changed")
	must(t, err, "drop messages")
	if n != 2 {
		t.Errorf("DropMessages dropped %d, want 2 (the owed and the failing one)", n)
	}
	for _, id := range []string{owed.ID, failing.ID} {
		m, err := s.GetMessage(t.Context(), id)
		must(t, err, "get dropped message")
		if m.NextAttemptAt.Before(storage.NeverDue) || m.LastError != "dropped: webhook changed" || m.DeliveredAt != nil {
			t.Errorf("dropped message: next %v, last error %q, delivered %v", m.NextAttemptAt, m.LastError, m.DeliveredAt)
		}
	}
	if got := lease(t, s, at(time.Hour), at(2*time.Hour), 10); !sameIDs(got, otherTenant.ID, email.ID) {
		t.Errorf("after the drop, due messages are %v, want the other tenant's and the email", idsOf(got))
	}
	if n, err := s.DropMessages(t.Context(), a.ID, model.MessageAuditWebhook, "again"); err != nil || n != 0 {
		t.Errorf("a second drop: %d, %v; want 0, nil", n, err)
	}
}

func sameIDs[T any](list []T, ids ...string) bool {
	got := sortedIDs(list)
	if len(got) != len(ids) {
		return false
	}
	for _, id := range ids {
		found := false
		for _, g := range got {
			found = found || g == id
		}
		if !found {
			return false
		}
	}
	return true
}

// testCollectMessages checks that collection deletes finished messages older than the cut,
// in batches of the limit, and never a message still owed.
func testCollectMessages(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	old := at(-10 * oneDay)
	cut := at(-oneDay)
	deliveredOld := newMessage(t, s, makeMessage(tenant.ID, old))
	must(t, s.MarkDelivered(t.Context(), deliveredOld.ID, old), "mark delivered")
	deliveredNew := newMessage(t, s, makeMessage(tenant.ID, old))
	must(t, s.MarkDelivered(t.Context(), deliveredNew.ID, base), "mark delivered")
	suppressed := makeMessage(tenant.ID, old)
	suppressed.Kind, suppressed.DeliveredAt = model.MessageSuppressed, &old
	newMessage(t, s, suppressed)
	abandonedOld := newMessage(t, s, makeMessage(tenant.ID, old))
	must(t, s.MarkFailed(t.Context(), abandonedOld.ID, "gave up", storage.NeverDue), "abandon")
	abandonedNew := newMessage(t, s, makeMessage(tenant.ID, base))
	must(t, s.MarkFailed(t.Context(), abandonedNew.ID, "gave up", storage.NeverDue), "abandon")
	owedOld := newMessage(t, s, makeMessage(tenant.ID, old))
	retryingOld := newMessage(t, s, makeMessage(tenant.ID, old))
	must(t, s.MarkFailed(t.Context(), retryingOld.ID, "421", at(time.Minute)), "mark failed")

	n, err := s.CollectMessages(t.Context(), cut, 2)
	must(t, err, "collect messages")
	if n != 2 {
		t.Errorf("first batch collected %d, want the limit, 2", n)
	}
	n, err = s.CollectMessages(t.Context(), cut, 2)
	must(t, err, "collect messages")
	if n != 1 {
		t.Errorf("second batch collected %d, want the last 1", n)
	}
	if n, err = s.CollectMessages(t.Context(), cut, 2); err != nil || n != 0 {
		t.Errorf("third batch: %d, %v; want 0, nil", n, err)
	}
	for _, gone := range []model.OutboxMessage{deliveredOld, suppressed, abandonedOld} {
		_, err := s.GetMessage(t.Context(), gone.ID)
		wantNotFound(t, err, "GetMessage of a collected message")
	}
	for _, kept := range []model.OutboxMessage{deliveredNew, abandonedNew, owedOld, retryingOld} {
		if _, err := s.GetMessage(t.Context(), kept.ID); err != nil {
			t.Errorf("message %s was collected before its time or while owed: %v", kept.ID, err)
		}
	}
}

var sealedTests = []namedTest{
	{"Check", testSealedCheck},
	{"ResealAll", testResealAll},
}

func testSealedCheck(t *testing.T, s storage.Store) {
	_, err := s.GetSealedCheck(t.Context(), "master_key")
	wantNotFound(t, err, "GetSealedCheck before any")
	must(t, s.CreateSealedCheck(t.Context(), "master_key", []byte{1, 2, 3}, base), "create check")
	err = s.CreateSealedCheck(t.Context(), "master_key", []byte{4}, base)
	if !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("second CreateSealedCheck: %v, want ErrAlreadyExists", err)
	}
	got, err := s.GetSealedCheck(t.Context(), "master_key")
	must(t, err, "get check")
	wantEqual(t, "check value", got, []byte{1, 2, 3})
}

// testResealAll checks that every kind of sealed value is presented once with what its seal
// binds, that hashes are not, and that a failure rolls every change back.
func testResealAll(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	key := makeKey(e.Tenant.ID, base)
	must(t, s.CreateSigningKey(t.Context(), key), "create key")
	totp := makeCredential(e, model.CredentialTOTP)
	totp.LookupKey, totp.Secret = "", []byte("sealed totp")
	newCredential(t, s, totp)
	pw := makeCredential(e, model.CredentialPassword)
	pw.LookupKey, pw.Secret = "", []byte("$argon2id$not-sealed")
	newCredential(t, s, pw)
	must(t, s.UpdateTenant(t.Context(), e.Tenant.ID, func(tn model.Tenant) (model.Tenant, error) {
		tn.WebhookURL, tn.WebhookSecret = "https://hooks.example", []byte("sealed whsec")
		return tn, nil
	}), "set webhook")
	msg := newMessage(t, s, makeMessage(e.Tenant.ID, base))
	must(t, s.CreateSealedCheck(t.Context(), "master_key", []byte("sealed check"), base), "create check")
	sess := newSession(t, s, makeSession(e))
	legacy := makeSession(e)
	legacy.SealedID = nil // a session without a sealed id has nothing to reseal
	newSession(t, s, legacy)

	want := map[string]storage.SealedValue{
		storage.SealedSigningKey:    {Kind: storage.SealedSigningKey, TenantID: e.Tenant.ID, ID: key.ID, Value: key.PrivateEnc},
		storage.SealedTOTP:          {Kind: storage.SealedTOTP, TenantID: e.Tenant.ID, ID: totp.ID, Value: totp.Secret},
		storage.SealedWebhookSecret: {Kind: storage.SealedWebhookSecret, TenantID: e.Tenant.ID, ID: e.Tenant.ID, Value: []byte("sealed whsec")},
		storage.SealedMessage:       {Kind: storage.SealedMessage, TenantID: e.Tenant.ID, ID: msg.ID, MessageKind: msg.Kind, To: msg.To, Value: msg.Sealed},
		storage.SealedCheck:         {Kind: storage.SealedCheck, ID: "master_key", Value: []byte("sealed check")},
		storage.SealedSessionID:     {Kind: storage.SealedSessionID, TenantID: e.Tenant.ID, ID: sess.ID, Value: sess.SealedID},
	}
	boom := errors.New("boom")
	_, err := s.ResealAll(t.Context(), func(v storage.SealedValue) ([]byte, error) {
		if v.Kind == storage.SealedCheck {
			return nil, boom
		}
		return []byte("half done"), nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("ResealAll with a failing reseal: %v, want the reseal's error", err)
	}
	keys, err := s.ListSigningKeys(t.Context(), e.Tenant.ID)
	must(t, err, "list keys")
	wantEqual(t, "signing key after a failed reseal", keys[0].PrivateEnc, key.PrivateEnc)

	seen := map[string]storage.SealedValue{}
	n, err := s.ResealAll(t.Context(), func(v storage.SealedValue) ([]byte, error) {
		if _, dup := seen[v.Kind]; dup {
			t.Errorf("two values of kind %s: %+v", v.Kind, v)
		}
		seen[v.Kind] = v
		return append([]byte("resealed:"), v.Value...), nil
	})
	must(t, err, "reseal all")
	if n != len(want) {
		t.Errorf("ResealAll rewrote %d values, want %d", n, len(want))
	}
	wantEqual(t, "values presented", seen, want)

	keys, err = s.ListSigningKeys(t.Context(), e.Tenant.ID)
	must(t, err, "list keys")
	wantEqual(t, "resealed signing key", keys[0].PrivateEnc, append([]byte("resealed:"), key.PrivateEnc...))
	got, err := s.GetCredential(t.Context(), e.Tenant.ID, totp.ID)
	must(t, err, "get totp")
	wantEqual(t, "resealed TOTP key", got.Secret, []byte("resealed:sealed totp"))
	got, err = s.GetCredential(t.Context(), e.Tenant.ID, pw.ID)
	must(t, err, "get password")
	wantEqual(t, "password hash, which is not sealed", got.Secret, pw.Secret)
	tn, err := s.GetTenant(t.Context(), e.Tenant.ID)
	must(t, err, "get tenant")
	wantEqual(t, "resealed webhook secret", tn.WebhookSecret, []byte("resealed:sealed whsec"))
	m, err := s.GetMessage(t.Context(), msg.ID)
	must(t, err, "get message")
	wantEqual(t, "resealed message", m.Sealed, append([]byte("resealed:"), msg.Sealed...))
	check, err := s.GetSealedCheck(t.Context(), "master_key")
	must(t, err, "get check")
	wantEqual(t, "resealed check", check, []byte("resealed:sealed check"))
	gotSess, err := s.GetSession(t.Context(), e.Tenant.ID, sess.ID)
	must(t, err, "get session")
	wantEqual(t, "resealed session id", gotSess.SealedID, append([]byte("resealed:"), sess.SealedID...))
	gotSess, err = s.GetSession(t.Context(), e.Tenant.ID, legacy.ID)
	must(t, err, "get session without a sealed id")
	if gotSess.SealedID != nil {
		t.Errorf("a session without a sealed id has %q after a reseal", gotSess.SealedID)
	}
}
