package storagetest

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var gcTests = []namedTest{
	{"RemovesExpiredKeepsLive", testGCRemovesExpiredKeepsLive},
	{"CountersAndAudit", testGCCountersAndAudit},
	{"EmptyStore", testGCEmptyStore},
	{"InBatches", testGCInBatches},
	{"AuditRetention", testGCAuditRetention},
	{"Ping", testPing},
}

func testGCRemovesExpiredKeepsLive(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	now := base

	expiredCode := makeCode(e)
	expiredCode.CreatedAt, expiredCode.ExpiresAt = at(-time.Hour), at(-50*time.Minute)
	newCode(t, s, expiredCode)
	liveCode := makeCode(e)
	liveCode.CreatedAt, liveCode.ExpiresAt = at(-time.Minute), at(4*time.Minute)
	newCode(t, s, liveCode)
	// A spent code is kept, spent, until it would have expired.
	spentCode := makeCode(e)
	spentCode.CreatedAt, spentCode.ExpiresAt = at(-2*time.Minute), at(3*time.Minute)
	newCode(t, s, spentCode)
	spent, err := s.ConsumeCode(t.Context(), e.Tenant.ID, spentCode.ID, at(-time.Minute))
	must(t, err, "spend a code")
	if !spent {
		t.Fatal("ConsumeCode did not spend a live code")
	}

	expiredSess := makeSession(e)
	expiredSess.CreatedAt, expiredSess.LastSeenAt, expiredSess.ExpiresAt = at(-2*oneDay), at(-2*oneDay), at(-oneDay)
	newSession(t, s, expiredSess)
	expiredRT := newRefresh(t, s, makeRefresh(e, expiredSess.ID))
	revokedSess := makeSession(e)
	revokedSess.RevokedAt = ptr(at(-time.Hour))
	newSession(t, s, revokedSess)
	revokedRT := newRefresh(t, s, makeRefresh(e, revokedSess.ID))
	liveSess := newSession(t, s, makeSession(e))
	liveRT := newRefresh(t, s, makeRefresh(e, liveSess.ID))
	// Under the live session: a token past its expiry goes (collected by expiry, not by
	// session); a rotated one not yet expired stays, so that its reuse is still recognised.
	expiredLiveRT := makeRefresh(e, liveSess.ID)
	expiredLiveRT.CreatedAt, expiredLiveRT.ExpiresAt = at(-2*time.Hour), at(-time.Hour)
	newRefresh(t, s, expiredLiveRT)
	rotatedRT := makeRefresh(e, liveSess.ID)
	rotatedRT.FamilyID, rotatedRT.RotatedAt, rotatedRT.ReplacedBy = liveRT.FamilyID, ptr(at(-time.Minute)), liveRT.ID
	rotatedRT = newRefresh(t, s, rotatedRT)

	expiredLock := model.Lockout{TenantID: e.Tenant.ID, AppID: e.App.ID, Key: "otp:email:old@example.com", Until: at(-time.Minute)}
	liveLock := model.Lockout{TenantID: e.Tenant.ID, AppID: e.App.ID, Key: "otp:email:new@example.com", Until: at(time.Minute)}
	must(t, s.PutLockout(t.Context(), expiredLock), "put lockout")
	must(t, s.PutLockout(t.Context(), liveLock), "put lockout")

	// Outbox messages are kept for their retention, which CollectMessages applies.
	delivered := newMessage(t, s, makeMessage(e.Tenant.ID, at(-3*oneDay)))
	must(t, s.MarkDelivered(t.Context(), delivered.ID, at(-3*oneDay)), "mark delivered")
	pending := newMessage(t, s, makeMessage(e.Tenant.ID, at(-3*oneDay)))

	n, err := s.GarbageCollect(t.Context(), now, storage.GCPolicy{})
	must(t, err, "garbage collect")
	// Five records are removed directly; the two refresh tokens of ended sessions may or may
	// not be counted, depending on whether the backend deletes them itself or by cascade.
	if n < 5 || n > 7 {
		t.Errorf("GarbageCollect removed %d records, want 5 to 7", n)
	}

	_, err = s.GetCode(t.Context(), e.Tenant.ID, expiredCode.ID)
	wantNotFound(t, err, "GetCode of an expired code after GC")
	_, err = s.GetSession(t.Context(), e.Tenant.ID, expiredSess.ID)
	wantNotFound(t, err, "GetSession of an expired session after GC")
	_, err = s.GetSession(t.Context(), e.Tenant.ID, revokedSess.ID)
	wantNotFound(t, err, "GetSession of a revoked session after GC")
	_, err = s.GetRefreshTokenByHash(t.Context(), expiredRT.TokenHash)
	wantNotFound(t, err, "refresh token of an expired session after GC")
	_, err = s.GetRefreshTokenByHash(t.Context(), revokedRT.TokenHash)
	wantNotFound(t, err, "refresh token of a revoked session after GC")
	_, err = s.GetRefreshTokenByHash(t.Context(), expiredLiveRT.TokenHash)
	wantNotFound(t, err, "expired refresh token of a live session after GC")
	gotRotated, err := s.GetRefreshTokenByHash(t.Context(), rotatedRT.TokenHash)
	must(t, err, "get a rotated, unexpired refresh token after GC")
	wantEqual(t, "rotated refresh token after GC", gotRotated, rotatedRT)
	_, err = s.GetLockout(t.Context(), e.Tenant.ID, e.App.ID, expiredLock.Key)
	wantNotFound(t, err, "GetLockout of an expired lockout after GC")

	gotCode, err := s.GetCode(t.Context(), e.Tenant.ID, liveCode.ID)
	must(t, err, "get live code after GC")
	wantEqual(t, "live code after GC", gotCode, liveCode)
	gotSpent, err := s.GetCode(t.Context(), e.Tenant.ID, spentCode.ID)
	must(t, err, "get a spent, unexpired code after GC")
	if gotSpent.ConsumedAt == nil {
		t.Error("a spent code came back unspent after GC")
	}
	gotSess, err := s.GetSession(t.Context(), e.Tenant.ID, liveSess.ID)
	must(t, err, "get live session after GC")
	wantEqual(t, "live session after GC", gotSess, liveSess)
	gotRT, err := s.GetRefreshTokenByHash(t.Context(), liveRT.TokenHash)
	must(t, err, "get live session's refresh token after GC")
	wantEqual(t, "live refresh token after GC", gotRT, liveRT)
	gotLock, err := s.GetLockout(t.Context(), e.Tenant.ID, e.App.ID, liveLock.Key)
	must(t, err, "get live lockout after GC")
	wantEqual(t, "live lockout after GC", gotLock, liveLock)
	if _, err := s.GetMessage(t.Context(), delivered.ID); err != nil {
		t.Errorf("GarbageCollect removed a delivered message, which CollectMessages collects: %v", err)
	}
	gotMsg, err := s.GetMessage(t.Context(), pending.ID)
	must(t, err, "get undelivered message after GC")
	wantEqual(t, "undelivered message after GC", gotMsg, pending)

	n, err = s.GarbageCollect(t.Context(), now, storage.GCPolicy{})
	must(t, err, "garbage collect again")
	if n != 0 {
		t.Errorf("second GarbageCollect removed %d records, want 0", n)
	}

	// Once it would have expired, the spent code goes.
	_, err = s.GarbageCollect(t.Context(), at(3*time.Minute+time.Second), storage.GCPolicy{})
	must(t, err, "garbage collect after the spent code's expiry")
	_, err = s.GetCode(t.Context(), e.Tenant.ID, spentCode.ID)
	wantNotFound(t, err, "GetCode of a spent code after its expiry and GC")
}

func testGCCountersAndAudit(t *testing.T, s storage.Store) {
	now := base
	ctx := t.Context()
	_, _, err := s.CountHit(ctx, "expired", at(-2*time.Minute), at(-time.Minute))
	must(t, err, "count a hit on a counter that will expire")
	// A window ending at now has ended.
	_, _, err = s.CountHit(ctx, "ends now", at(-time.Minute), now)
	must(t, err, "count a hit on a counter whose window ends at now")
	for i := range 2 {
		_, _, err = s.CountHit(ctx, "live", at(-time.Duration(2-i)*time.Minute), at(time.Millisecond))
		must(t, err, "count a hit on a live counter")
	}
	tenant := newTenant(t, s)
	events := []model.AuditEvent{
		makeAuditEvent(tenant.ID, at(-400*oneDay)),
		makeAuditEvent(tenant.ID, at(-time.Hour)),
		makeAuditEvent(tenant.ID, now),
	}
	for _, e := range events {
		must(t, s.AppendAudit(ctx, e), "append audit event")
	}

	n, err := s.GarbageCollect(ctx, now, storage.GCPolicy{})
	must(t, err, "garbage collect")
	if n != 2 {
		t.Errorf("GarbageCollect removed %d records, want the 2 ended counters", n)
	}
	// The live counter kept its hits and its window.
	count, resetAt, err := s.CountHit(ctx, "live", now, at(time.Hour))
	must(t, err, "count a hit on the live counter after GC")
	if count != 3 || !resetAt.Equal(at(time.Millisecond)) {
		t.Errorf("live counter after GC: count %d resetting at %v, want 3 resetting at %v", count, resetAt, at(time.Millisecond))
	}
	list, total, err := s.ListAudit(ctx, model.AuditQuery{TenantID: tenant.ID})
	must(t, err, "list audit events after GC")
	if total != len(events) {
		t.Errorf("audit events after GC: total %d, want %d", total, len(events))
	}
	wantIDs(t, "audit events after GC", list, events[2].ID, events[1].ID, events[0].ID)

	n, err = s.GarbageCollect(ctx, now, storage.GCPolicy{})
	must(t, err, "garbage collect again")
	if n != 0 {
		t.Errorf("second GarbageCollect removed %d records, want 0", n)
	}
}

func testGCEmptyStore(t *testing.T, s storage.Store) {
	n, err := s.GarbageCollect(t.Context(), base, storage.GCPolicy{})
	must(t, err, "garbage collect an empty store")
	if n != 0 {
		t.Errorf("GarbageCollect of an empty store removed %d records", n)
	}
}

func testPing(t *testing.T, s storage.Store) {
	must(t, s.Ping(t.Context()), "ping")
}

// testGCInBatches gives a backlog several times the batch: every ended record goes, whatever
// the number of batches, and what is live stays.
func testGCInBatches(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	const expired = 23
	for range expired {
		c := makeCode(e)
		c.CreatedAt, c.ExpiresAt = at(-time.Hour), at(-50*time.Minute)
		newCode(t, s, c)
	}
	live := makeCode(e)
	live.CreatedAt, live.ExpiresAt = at(-time.Minute), at(4*time.Minute)
	newCode(t, s, live)
	for i := range 7 {
		_, _, err := s.CountHit(t.Context(), "ended "+string(rune('a'+i)), at(-2*time.Minute), at(-time.Minute))
		must(t, err, "count a hit on an ended counter")
	}

	// Ended sessions holding more unexpired tokens than a batch: every token goes, over as
	// many transactions as it takes, and none outlives its session.
	var endedTokens []model.RefreshToken
	for i, tokens := range []int{12, 0, 1} {
		sess := makeSession(e)
		if i == 0 {
			sess.RevokedAt = ptr(at(-time.Hour))
		} else {
			sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = at(-2*oneDay), at(-2*oneDay), at(-oneDay)
		}
		newSession(t, s, sess)
		for range tokens {
			endedTokens = append(endedTokens, newRefresh(t, s, makeRefresh(e, sess.ID)))
		}
	}
	liveSess := newSession(t, s, makeSession(e))
	liveRT := newRefresh(t, s, makeRefresh(e, liveSess.ID))

	n, err := s.GarbageCollect(t.Context(), base, storage.GCPolicy{Batch: 5})
	must(t, err, "garbage collect in batches of 5")
	// The tokens of ended sessions may or may not be counted (by cascade, say).
	if least := int64(expired + 7 + 3); n < least || n > least+int64(len(endedTokens)) {
		t.Errorf("GarbageCollect in batches removed %d records, want %d to %d", n, least, least+int64(len(endedTokens)))
	}
	_, err = s.GetCode(t.Context(), e.Tenant.ID, live.ID)
	must(t, err, "GetCode of the live code after GC in batches")
	for _, rt := range endedTokens {
		_, err = s.GetRefreshTokenByHash(t.Context(), rt.TokenHash)
		wantNotFound(t, err, "a refresh token of an ended session after GC in batches")
	}
	_, err = s.GetRefreshTokenByHash(t.Context(), liveRT.TokenHash)
	must(t, err, "the live session's refresh token after GC in batches")
	n, err = s.GarbageCollect(t.Context(), base, storage.GCPolicy{Batch: 5})
	must(t, err, "garbage collect again")
	if n != 0 {
		t.Errorf("second GarbageCollect removed %d records, want 0", n)
	}
}

// testGCAuditRetention collects the audit events older than the retention's cut-off, oldest
// first and in batches, and keeps the rest.
func testGCAuditRetention(t *testing.T, s storage.Store) {
	ctx := t.Context()
	tenant := newTenant(t, s)
	var old, recent []model.AuditEvent
	for i := range 7 {
		old = append(old, makeAuditEvent(tenant.ID, at(-time.Duration(400-i)*oneDay)))
	}
	for i := range 3 {
		recent = append(recent, makeAuditEvent(tenant.ID, at(-time.Duration(3-i)*time.Hour)))
	}
	for _, ev := range append(append([]model.AuditEvent{}, old...), recent...) {
		must(t, s.AppendAudit(ctx, ev), "append audit event")
	}

	n, err := s.GarbageCollect(ctx, base, storage.GCPolicy{AuditBefore: at(-oneDay), Batch: 3})
	must(t, err, "garbage collect the audit log")
	if n != int64(len(old)) {
		t.Errorf("GarbageCollect removed %d records, want the %d old audit events", n, len(old))
	}
	list, total, err := s.ListAudit(ctx, model.AuditQuery{TenantID: tenant.ID})
	must(t, err, "list audit events after GC")
	if total != len(recent) {
		t.Errorf("audit events after GC: total %d, want %d", total, len(recent))
	}
	wantIDs(t, "audit events after GC", list, recent[2].ID, recent[1].ID, recent[0].ID)
}
