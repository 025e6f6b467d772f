package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var refreshTests = []namedTest{
	{"RoundTrip", testRefreshRoundTrip},
	{"GetMissing", testRefreshGetMissing},
	{"OtherTenant", testRefreshOtherTenant},
	{"Rotate", testRefreshRotate},
	{"RotateOnce", testRefreshRotateOnce},
	{"UpdateRefused", testRefreshUpdateRefused},
	{"RevokeFamily", testRefreshRevokeFamily},
	{"RevokeSession", testRefreshRevokeSession},
}

func testRefreshRoundTrip(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	sess := newSession(t, s, makeSession(e))
	want := newRefresh(t, s, makeRefresh(e, sess.ID))
	got, err := s.GetRefreshTokenByHash(t.Context(), want.TokenHash)
	must(t, err, "get refresh token")
	wantEqual(t, "GetRefreshTokenByHash", got, want)

	spent := makeRefresh(e, sess.ID)
	spent.Resource = ""
	spent.RotatedAt = ptr(at(time.Hour))
	spent.ReplacedBy = model.NewID()
	spent.RevokedAt = ptr(at(2 * time.Hour))
	spent.FamilyExpiresAt = time.Time{} // a family without an end of its own
	newRefresh(t, s, spent)
	got, err = s.GetRefreshTokenByHash(t.Context(), spent.TokenHash)
	must(t, err, "get rotated refresh token")
	wantEqual(t, "GetRefreshTokenByHash of a rotated, revoked token", got, spent)
}

func testRefreshGetMissing(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	sess := newSession(t, s, makeSession(e))
	newRefresh(t, s, makeRefresh(e, sess.ID))
	_, err := s.GetRefreshTokenByHash(t.Context(), randomBytes(32))
	wantNotFound(t, err, "GetRefreshTokenByHash of an unknown hash")
	err = s.UpdateRefreshToken(t.Context(), e.Tenant.ID, model.NewID(), func(rt model.RefreshToken) (model.RefreshToken, error) {
		return rt, nil
	})
	wantNotFound(t, err, "UpdateRefreshToken of a missing id")
}

func testRefreshOtherTenant(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	sess := newSession(t, s, makeSession(e))
	rt := newRefresh(t, s, makeRefresh(e, sess.ID))
	intruder := newTenant(t, s)
	err := s.UpdateRefreshToken(t.Context(), intruder.ID, rt.ID, func(cur model.RefreshToken) (model.RefreshToken, error) {
		cur.RevokedAt = ptr(base)
		return cur, nil
	})
	wantNotFound(t, err, "UpdateRefreshToken under another tenant")
	for _, c := range []struct{ family, session string }{{rt.FamilyID, rt.SessionID}, {"", rt.SessionID}} {
		n, err := s.RevokeRefreshTokens(t.Context(), intruder.ID, c.family, c.session, base)
		must(t, err, "revoke refresh tokens under another tenant")
		if n != 0 {
			t.Errorf("RevokeRefreshTokens under another tenant revoked %d, want 0", n)
		}
	}
	got, err := s.GetRefreshTokenByHash(t.Context(), rt.TokenHash)
	must(t, err, "get refresh token")
	wantEqual(t, "refresh token after another tenant's update and revoke", got, rt)
}

func testRefreshRotate(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	sess := newSession(t, s, makeSession(e))
	orig := newRefresh(t, s, makeRefresh(e, sess.ID))
	next := makeRefresh(e, sess.ID)
	next.FamilyID = orig.FamilyID
	next.CreatedAt = at(time.Hour)
	newRefresh(t, s, next)
	var seen model.RefreshToken
	err := s.UpdateRefreshToken(t.Context(), e.Tenant.ID, orig.ID, func(cur model.RefreshToken) (model.RefreshToken, error) {
		seen = cur
		cur.RotatedAt = ptr(at(time.Hour))
		cur.ReplacedBy = next.ID
		return cur, nil
	})
	must(t, err, "rotate refresh token")
	wantEqual(t, "refresh token seen by the updater", seen, orig)
	want := orig
	want.RotatedAt = ptr(at(time.Hour))
	want.ReplacedBy = next.ID
	got, err := s.GetRefreshTokenByHash(t.Context(), orig.TokenHash)
	must(t, err, "get rotated refresh token")
	wantEqual(t, "refresh token after rotation", got, want)
	got, err = s.GetRefreshTokenByHash(t.Context(), next.TokenHash)
	must(t, err, "get successor")
	wantEqual(t, "successor", got, next)
}

func testRefreshUpdateRefused(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	sess := newSession(t, s, makeSession(e))
	orig := newRefresh(t, s, makeRefresh(e, sess.ID))
	err := s.UpdateRefreshToken(t.Context(), e.Tenant.ID, orig.ID, func(cur model.RefreshToken) (model.RefreshToken, error) {
		cur.RevokedAt = ptr(base)
		return cur, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateRefreshToken with a failing updater: got %v, want the updater's error", err)
	}
	got, err := s.GetRefreshTokenByHash(t.Context(), orig.TokenHash)
	must(t, err, "get refresh token")
	wantEqual(t, "refresh token after a refused update", got, orig)
}

// revokeCase makes tokens for a revocation test under one session: three in scope, one of
// them already revoked, and those out of scope: one of another session, and with family set
// (the three are of that family) one of another family of the same session.
func revokeCase(t *testing.T, s storage.Store, e env, family string) (sess model.Session, live, revoked, outside []model.RefreshToken) {
	t.Helper()
	sess = newSession(t, s, makeSession(e))
	for i := range 3 {
		rt := makeRefresh(e, sess.ID)
		if family != "" {
			rt.FamilyID = family
		}
		if i == 0 {
			rt.RevokedAt = ptr(at(-time.Hour))
			revoked = append(revoked, newRefresh(t, s, rt))
			continue
		}
		live = append(live, newRefresh(t, s, rt))
	}
	other := newSession(t, s, makeSession(e))
	outside = append(outside, newRefresh(t, s, makeRefresh(e, other.ID)))
	if family != "" {
		outside = append(outside, newRefresh(t, s, makeRefresh(e, sess.ID)))
	}
	return sess, live, revoked, outside
}

func checkRevoked(t *testing.T, s storage.Store, what string, n int64, now time.Time, live, revoked, outside []model.RefreshToken) {
	t.Helper()
	if n != int64(len(live)) {
		t.Errorf("%s revoked %d tokens, want %d", what, n, len(live))
	}
	for _, rt := range live {
		want := rt
		want.RevokedAt = ptr(now)
		got, err := s.GetRefreshTokenByHash(t.Context(), rt.TokenHash)
		must(t, err, "get refresh token")
		wantEqual(t, what+": live token", got, want)
	}
	for _, rt := range append(revoked, outside...) {
		got, err := s.GetRefreshTokenByHash(t.Context(), rt.TokenHash)
		must(t, err, "get refresh token")
		wantEqual(t, what+": already revoked or unrelated token", got, rt)
	}
}

// testRefreshRevokeFamily revokes one family of a session: the session's other family and
// other sessions' tokens stay live. A family is named with its session; alone it is refused.
func testRefreshRevokeFamily(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	family := model.NewID()
	sess, live, revoked, outside := revokeCase(t, s, e, family)
	if len(outside) != 2 {
		t.Fatalf("the case has %d tokens out of scope, want one of another session and one of another family", len(outside))
	}
	if _, err := s.RevokeRefreshTokens(t.Context(), e.Tenant.ID, family, "", at(time.Second)); err == nil {
		t.Error("RevokeRefreshTokens of a family without its session succeeded, want an error")
	}
	now := at(time.Minute)
	n, err := s.RevokeRefreshTokens(t.Context(), e.Tenant.ID, family, sess.ID, now)
	must(t, err, "revoke family")
	checkRevoked(t, s, "RevokeRefreshTokens by family", n, now, live, revoked, outside)

	n, err = s.RevokeRefreshTokens(t.Context(), e.Tenant.ID, family, sess.ID, at(time.Hour))
	must(t, err, "revoke family again")
	if n != 0 {
		t.Errorf("second RevokeRefreshTokens by family revoked %d, want 0", n)
	}
}

// testRefreshRevokeSession revokes every family of a session.
func testRefreshRevokeSession(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	sess, live, revoked, outside := revokeCase(t, s, e, "")
	now := at(time.Minute)
	n, err := s.RevokeRefreshTokens(t.Context(), e.Tenant.ID, "", sess.ID, now)
	must(t, err, "revoke session's tokens")
	checkRevoked(t, s, "RevokeRefreshTokens by session", n, now, live, revoked, outside)

	n, err = s.RevokeRefreshTokens(t.Context(), e.Tenant.ID, "", sess.ID, at(time.Hour))
	must(t, err, "revoke session's tokens again")
	if n != 0 {
		t.Errorf("second RevokeRefreshTokens by session revoked %d, want 0", n)
	}
}

// testRefreshRotateOnce checks RotateRefreshToken: a live token of the named tenant and
// client rotates once; dead ones, unknown ones and those of another tenant or client never.
func testRefreshRotateOnce(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	sess := newSession(t, s, makeSession(e))
	rt := newRefresh(t, s, makeRefresh(e, sess.ID))
	next := model.NewID()
	refused := func(what string, tenantID, clientID string, hash []byte, now time.Time) {
		t.Helper()
		got, err := s.RotateRefreshToken(ctx, tenantID, clientID, hash, next, now)
		if !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("rotation of %s = %+v, %v; want ErrNotFound", what, got, err)
		}
	}
	refused("a token through another tenant", newTenant(t, s).ID, rt.ClientID, rt.TokenHash, at(time.Minute))
	refused("a token through another client", e.Tenant.ID, model.NewID(), rt.TokenHash, at(time.Minute))
	refused("an unknown hash", e.Tenant.ID, rt.ClientID, []byte("no such token hash, 32 bytes.."), at(time.Minute))
	got, err := s.GetRefreshTokenByHash(ctx, rt.TokenHash)
	must(t, err, "get refresh token")
	wantEqual(t, "token after refused rotations", got, rt)

	rotated, err := s.RotateRefreshToken(ctx, e.Tenant.ID, rt.ClientID, rt.TokenHash, next, at(time.Minute))
	must(t, err, "rotate a live token")
	want := rt
	want.RotatedAt, want.ReplacedBy = ptr(at(time.Minute)), next
	wantEqual(t, "token returned by rotation", rotated, want)
	got, err = s.GetRefreshTokenByHash(ctx, rt.TokenHash)
	must(t, err, "get refresh token")
	wantEqual(t, "token after rotation", got, want)
	refused("a rotated token", e.Tenant.ID, rt.ClientID, rt.TokenHash, at(2*time.Minute))
	got, err = s.GetRefreshTokenByHash(ctx, rt.TokenHash)
	must(t, err, "get refresh token")
	wantEqual(t, "token after a refused second rotation", got, want)

	expired := newRefresh(t, s, makeRefresh(e, sess.ID))
	refused("an expired token", e.Tenant.ID, expired.ClientID, expired.TokenHash, expired.ExpiresAt)
	revoked := makeRefresh(e, sess.ID)
	revoked.RevokedAt = ptr(at(time.Second))
	newRefresh(t, s, revoked)
	refused("a revoked token", e.Tenant.ID, revoked.ClientID, revoked.TokenHash, at(time.Minute))
}
