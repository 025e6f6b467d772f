package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var sessionTests = []namedTest{
	{"RoundTrip", testSessionRoundTrip},
	{"GetMissing", testSessionGetMissing},
	{"OtherTenant", testSessionOtherTenant},
	{"ListNewestFirst", testSessionListNewestFirst},
	{"UpdateAppendsFactors", testSessionUpdate},
	{"UpdateRefused", testSessionUpdateRefused},
	{"Touch", testSessionTouch},
	{"SealedIDAddedLater", testSessionSealedIDAddedLater},
	{"Life", testSessionLife},
	{"LifeAndClientStamp", testSessionLifeAndClientStamp},
}

// testSessionLifeAndClientStamp checks that the one-statement read answers what
// GetSessionLife and ClientStamp answer apart: for a live session, a revoked one, another
// tenant's, a missing one, and for a client that is missing or deleted.
func testSessionLifeAndClientStamp(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	check := func(what, tenantID, sessionID string, want *model.SessionLife) {
		t.Helper()
		life, found, stamp, err := s.GetSessionLifeAndClientStamp(ctx, tenantID, sessionID, e.Client.ID)
		must(t, err, what)
		wantStamp, err := s.ClientStamp(ctx, e.Client.ID)
		must(t, err, what)
		if stamp != wantStamp {
			t.Errorf("%s: stamp %d, ClientStamp %d", what, stamp, wantStamp)
		}
		switch {
		case want == nil && found:
			t.Errorf("%s: found session %+v, want none", what, life)
		case want != nil && !found:
			t.Errorf("%s: no session, want %+v", what, *want)
		case want != nil:
			wantEqual(t, what, life, *want)
		}
	}
	live := newSession(t, s, makeSession(e))
	want := live.Life()
	check("live session", e.Tenant.ID, live.ID, &want)
	revoked := makeSession(e)
	revoked.RevokedAt = ptr(at(2 * time.Minute))
	newSession(t, s, revoked)
	wantRevoked := revoked.Life()
	check("revoked session", e.Tenant.ID, revoked.ID, &wantRevoked)
	check("another tenant's session", newTenant(t, s).ID, live.ID, nil)
	check("missing session", e.Tenant.ID, model.NewID(), nil)

	// A client of another tenant than the session's is read all the same: the caller decides.
	other := newEnv(t, s)
	_, found, stamp, err := s.GetSessionLifeAndClientStamp(ctx, e.Tenant.ID, live.ID, other.Client.ID)
	must(t, err, "another tenant's client")
	if !found || stamp != other.Client.Stamp {
		t.Errorf("another tenant's client: found %v, stamp %d, want the session and stamp %d", found, stamp, other.Client.Stamp)
	}
	_, _, _, err = s.GetSessionLifeAndClientStamp(ctx, e.Tenant.ID, live.ID, model.NewID())
	wantNotFound(t, err, "GetSessionLifeAndClientStamp of a missing client")
	must(t, s.DeleteClient(ctx, e.Tenant.ID, e.Client.ID), "delete client")
	_, _, _, err = s.GetSessionLifeAndClientStamp(ctx, e.Tenant.ID, live.ID, e.Client.ID)
	wantNotFound(t, err, "GetSessionLifeAndClientStamp of a deleted client")
}

// testSessionLife checks that GetSessionLife reads what GetSession reads of a session's
// owner and times, follows updates, and finds no session of another tenant or none at all.
func testSessionLife(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	live := newSession(t, s, makeSession(e))
	got, err := s.GetSessionLife(ctx, e.Tenant.ID, live.ID)
	must(t, err, "get session life")
	wantEqual(t, "GetSessionLife of a live session", got, live.Life())
	if got.RevokedAt != nil || got.UserID != e.User.ID {
		t.Errorf("GetSessionLife of a live session: revoked %v, user %q", got.RevokedAt, got.UserID)
	}

	touched, err := s.TouchSession(ctx, e.Tenant.ID, live.ID, at(time.Hour), at(30*time.Second))
	must(t, err, "touch session")
	must(t, s.UpdateSession(ctx, e.Tenant.ID, live.ID, func(cur model.Session) (model.Session, error) {
		cur.RevokedAt = ptr(at(2 * time.Hour))
		return cur, nil
	}), "revoke session")
	want := touched.Life()
	want.RevokedAt = ptr(at(2 * time.Hour))
	got, err = s.GetSessionLife(ctx, e.Tenant.ID, live.ID)
	must(t, err, "get session life after touch and revocation")
	wantEqual(t, "GetSessionLife after touch and revocation", got, want)

	_, err = s.GetSessionLife(ctx, newTenant(t, s).ID, live.ID)
	wantNotFound(t, err, "GetSessionLife under another tenant")
	_, err = s.GetSessionLife(ctx, e.Tenant.ID, model.NewID())
	wantNotFound(t, err, "GetSessionLife of a missing id")
}

// testSessionSealedIDAddedLater checks that a session stored without a sealed id reads back
// without one, and that an update can give it one, which every read then returns.
func testSessionSealedIDAddedLater(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	old := makeSession(e)
	old.SealedID = nil
	newSession(t, s, old)
	got, err := s.GetSession(ctx, e.Tenant.ID, old.ID)
	must(t, err, "get session")
	if got.SealedID != nil {
		t.Errorf("session stored without a sealed id reads back with %q", got.SealedID)
	}
	must(t, s.UpdateSession(ctx, e.Tenant.ID, old.ID, func(cur model.Session) (model.Session, error) {
		cur.SealedID = []byte("sealed later")
		return cur, nil
	}), "give the session a sealed id")
	want := old
	want.SealedID = []byte("sealed later")
	got, err = s.GetSession(ctx, e.Tenant.ID, old.ID)
	must(t, err, "get session")
	wantEqual(t, "session given a sealed id", got, want)
	want.LastSeenAt = at(time.Hour)
	got, err = s.TouchSession(ctx, e.Tenant.ID, old.ID, at(time.Hour), at(30*time.Second))
	must(t, err, "touch session")
	wantEqual(t, "TouchSession of a session given a sealed id", got, want)
}

func testSessionRoundTrip(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	want := newSession(t, s, makeSession(e))
	got, err := s.GetSession(t.Context(), e.Tenant.ID, want.ID)
	must(t, err, "get session")
	wantEqual(t, "GetSession", got, want)

	revoked := makeSession(e)
	revoked.Factors = revoked.Factors[:1]
	revoked.ClientAttributes = model.ClientAttributes{}
	revoked.RevokedAt = ptr(at(time.Hour))
	revoked.SealedID = nil // begun before sessions kept their id sealed
	newSession(t, s, revoked)
	got, err = s.GetSession(t.Context(), e.Tenant.ID, revoked.ID)
	must(t, err, "get revoked session")
	wantEqual(t, "GetSession of a revoked session", got, revoked)
}

func testSessionGetMissing(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	newSession(t, s, makeSession(e))
	_, err := s.GetSession(t.Context(), e.Tenant.ID, model.NewID())
	wantNotFound(t, err, "GetSession of a missing id")
	err = s.UpdateSession(t.Context(), e.Tenant.ID, model.NewID(), func(sess model.Session) (model.Session, error) {
		return sess, nil
	})
	wantNotFound(t, err, "UpdateSession of a missing id")
}

func testSessionOtherTenant(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	sess := newSession(t, s, makeSession(e))
	intruder := newTenant(t, s)
	_, err := s.GetSession(t.Context(), intruder.ID, sess.ID)
	wantNotFound(t, err, "GetSession under another tenant")
	list, err := s.ListSessions(t.Context(), intruder.ID, e.User.ID)
	must(t, err, "list sessions under another tenant")
	if len(list) != 0 {
		t.Errorf("ListSessions under another tenant: got %v, want none", idsOf(list))
	}
	err = s.UpdateSession(t.Context(), intruder.ID, sess.ID, func(cur model.Session) (model.Session, error) {
		cur.RevokedAt = ptr(base)
		return cur, nil
	})
	wantNotFound(t, err, "UpdateSession under another tenant")
	got, err := s.GetSession(t.Context(), e.Tenant.ID, sess.ID)
	must(t, err, "get session")
	wantEqual(t, "session after another tenant's update", got, sess)
}

func testSessionListNewestFirst(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	list, err := s.ListSessions(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "list sessions of a user without any")
	if len(list) != 0 {
		t.Errorf("ListSessions of a user without any: got %v", idsOf(list))
	}
	// Created out of order; the ended ones are listed too.
	byAge := map[time.Duration]model.Session{}
	for _, off := range []time.Duration{2 * time.Hour, 0, 3 * time.Hour, time.Hour} {
		sess := makeSession(e)
		sess.CreatedAt = at(off)
		sess.ExpiresAt = at(off + oneDay)
		switch off {
		case 0:
			sess.ExpiresAt = at(time.Minute) // expired long ago by the time of the others
		case time.Hour:
			sess.RevokedAt = ptr(at(90 * time.Minute))
		}
		byAge[off] = newSession(t, s, sess)
	}
	neighbour := e
	neighbour.User = newUser(t, s, e.Tenant.ID)
	newSession(t, s, makeSession(neighbour))

	want := []model.Session{byAge[3*time.Hour], byAge[2*time.Hour], byAge[time.Hour], byAge[0]}
	list, err = s.ListSessions(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "list sessions")
	wantList(t, "ListSessions", list, want)
}

func testSessionUpdate(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	orig := newSession(t, s, makeSession(e))
	var seen model.Session
	err := s.UpdateSession(t.Context(), e.Tenant.ID, orig.ID, func(cur model.Session) (model.Session, error) {
		seen = cur
		cur.Factors = append(cur.Factors, model.Factor{Method: model.AMRWebAuthn, At: at(5 * time.Minute)})
		cur.LastSeenAt = at(5 * time.Minute)
		cur.ClientAttributes.IPAddress = "198.51.100.2"
		return cur, nil
	})
	must(t, err, "update session")
	wantEqual(t, "session seen by the updater", seen, orig)
	want := orig
	want.Factors = append(append([]model.Factor(nil), orig.Factors...), model.Factor{Method: model.AMRWebAuthn, At: at(5 * time.Minute)})
	want.LastSeenAt = at(5 * time.Minute)
	want.ClientAttributes.IPAddress = "198.51.100.2"
	got, err := s.GetSession(t.Context(), e.Tenant.ID, orig.ID)
	must(t, err, "get session")
	wantEqual(t, "session after adding a factor", got, want)

	err = s.UpdateSession(t.Context(), e.Tenant.ID, orig.ID, func(cur model.Session) (model.Session, error) {
		cur.RevokedAt = ptr(at(10 * time.Minute))
		return cur, nil
	})
	must(t, err, "revoke session")
	want.RevokedAt = ptr(at(10 * time.Minute))
	got, err = s.GetSession(t.Context(), e.Tenant.ID, orig.ID)
	must(t, err, "get session")
	wantEqual(t, "session after revocation", got, want)
}

func testSessionUpdateRefused(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	orig := newSession(t, s, makeSession(e))
	err := s.UpdateSession(t.Context(), e.Tenant.ID, orig.ID, func(cur model.Session) (model.Session, error) {
		cur.RevokedAt = ptr(base)
		return cur, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateSession with a failing updater: got %v, want the updater's error", err)
	}
	got, err := s.GetSession(t.Context(), e.Tenant.ID, orig.ID)
	must(t, err, "get session")
	wantEqual(t, "session after a refused update", got, orig)
}

// testSessionTouch checks that TouchSession marks active sessions only: not revoked, not
// expired, not idle since the cutoff, and of the tenant asked.
func testSessionTouch(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	live := newSession(t, s, makeSession(e)) // last seen at +1m, expires at +24h
	now, idleSince := at(time.Hour), at(30*time.Second)
	got, err := s.TouchSession(ctx, e.Tenant.ID, live.ID, now, idleSince)
	must(t, err, "touch a live session")
	want := live
	want.LastSeenAt = now
	wantEqual(t, "TouchSession result", got, want)
	stored, err := s.GetSession(ctx, e.Tenant.ID, live.ID)
	must(t, err, "get session")
	wantEqual(t, "session after TouchSession", stored, want)

	// Idle: last seen (now at +1h) at or before the cutoff.
	_, err = s.TouchSession(ctx, e.Tenant.ID, live.ID, at(2*time.Hour), at(time.Hour))
	wantNotFound(t, err, "TouchSession of an idle session")
	// Expired.
	_, err = s.TouchSession(ctx, e.Tenant.ID, live.ID, at(24*time.Hour), idleSince)
	wantNotFound(t, err, "TouchSession of an expired session")
	// Another tenant, a missing id.
	_, err = s.TouchSession(ctx, newTenant(t, s).ID, live.ID, now, idleSince)
	wantNotFound(t, err, "TouchSession through another tenant")
	_, err = s.TouchSession(ctx, e.Tenant.ID, model.NewID(), now, idleSince)
	wantNotFound(t, err, "TouchSession of a missing session")
	// Revoked.
	revoked := makeSession(e)
	revoked.RevokedAt = ptr(at(2 * time.Minute))
	newSession(t, s, revoked)
	_, err = s.TouchSession(ctx, e.Tenant.ID, revoked.ID, now, idleSince)
	wantNotFound(t, err, "TouchSession of a revoked session")
	// None of the refusals changed the session.
	stored, err = s.GetSession(ctx, e.Tenant.ID, live.ID)
	must(t, err, "get session")
	wantEqual(t, "session after refused touches", stored, want)
}
