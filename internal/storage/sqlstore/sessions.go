package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

const sessionCols = "id, tenant_id, user_id, app_id, client_id, factors, client_attributes, created_at, " +
	"last_seen_at, expires_at, revoked_at, sealed_id"

// storedAttributes is how a session's client attributes are kept in its client_attributes
// column: Mosaic's two, and the device_id and org_id of the login, which the API's JSON of
// client attributes leaves out.
type storedAttributes struct {
	UserAgent string `json:"user_agent,omitempty"`
	IPAddress string `json:"ip_address,omitempty"`
	DeviceID  string `json:"device_id,omitempty"`
	OrgID     string `json:"org_id,omitempty"`
}

func scanSession(sc scanner) (model.Session, error) {
	var s model.Session
	var factors, attrs string
	var created, seen, expires int64
	var revoked sql.NullInt64
	err := sc.Scan(&s.ID, &s.TenantID, &s.UserID, &s.AppID, &s.ClientID, &factors, &attrs,
		&created, &seen, &expires, &revoked, &s.SealedID)
	if err != nil {
		return s, err
	}
	if err := fromJSONText(factors, &s.Factors); err != nil {
		return s, err
	}
	var stored storedAttributes
	if err := fromJSONText(attrs, &stored); err != nil {
		return s, err
	}
	s.ClientAttributes = model.ClientAttributes(stored)
	for i := range s.Factors {
		s.Factors[i].At = s.Factors[i].At.UTC()
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMillis(created), fromMillis(seen), fromMillis(expires)
	s.RevokedAt = fromNullMillis(revoked)
	return s, nil
}

// sessionValues returns the columns of s written after its ids, user, application and client.
func sessionValues(s model.Session) ([]any, error) {
	// Factor times are kept like every other time: UTC milliseconds.
	var factors []model.Factor
	if s.Factors != nil {
		factors = make([]model.Factor, len(s.Factors))
		for i, f := range s.Factors {
			factors[i] = model.Factor{Method: f.Method, At: truncate(f.At)}
		}
	}
	ft, err := jsonText(factors)
	if err != nil {
		return nil, err
	}
	at, err := jsonText(storedAttributes(s.ClientAttributes))
	if err != nil {
		return nil, err
	}
	return []any{ft, at, millis(s.CreatedAt), millis(s.LastSeenAt), millis(s.ExpiresAt), millisOrNull(s.RevokedAt),
		bytesOrNull(s.SealedID)}, nil
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, sess model.Session) error {
	vals, err := sessionValues(sess)
	if err != nil {
		return errf("create session", err)
	}
	query := "INSERT INTO sessions (" + sessionCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	args := append([]any{sess.ID, sess.TenantID, sess.UserID, sess.AppID, sess.ClientID}, vals...)
	if s.holding() {
		return s.hold(ctx, heldWrite{what: "create session", table: "sessions", query: query, args: args})
	}
	_, err = s.execRandomID(ctx, "create session", query, args...)
	return err
}

// GetSession returns one of the tenant's sessions.
func (s *Store) GetSession(ctx context.Context, tenantID, id string) (model.Session, error) {
	return getOwned(ctx, s.reader(), "get session", scanSession, func(v model.Session) string { return v.TenantID },
		"SELECT "+sessionCols+" FROM sessions WHERE id = ?", tenantID, id)
}

// The reads of a session's life, alone and with a client's stamp, each by primary keys.
const (
	sessionLifeSQL         = "SELECT tenant_id, user_id, last_seen_at, expires_at, revoked_at FROM sessions WHERE id = ?"
	sessionLifeAndStampSQL = "SELECT c.stamp, s.tenant_id, s.user_id, s.last_seen_at, s.expires_at, s.revoked_at " +
		"FROM clients c LEFT JOIN sessions s ON s.id = ? WHERE c.id = ?"
)

// GetSessionLife returns what decides whether one of the tenant's sessions can still be used.
// It reads no JSON column: decoding the factors and attributes cost introspection as much as
// the rest of the read.
func (s *Store) GetSessionLife(ctx context.Context, tenantID, id string) (model.SessionLife, error) {
	return getOwned(ctx, s.reader(), "get session life", scanSessionLife,
		func(v model.SessionLife) string { return v.TenantID },
		sessionLifeSQL, tenantID, id)
}

// GetSessionLifeAndClientStamp reads a session's life and a client's stamp in one statement:
// the client's row by its key, joined to the session's, if any, by its key.
func (s *Store) GetSessionLifeAndClientStamp(ctx context.Context, tenantID, sessionID, clientID string) (model.SessionLife, bool, int64, error) {
	type row struct {
		stamp int64
		life  model.SessionLife
		found bool
	}
	r, err := getOne(ctx, s.reader(), "get session life and client stamp", func(sc scanner) (row, error) {
		var r row
		var tenant, user sql.NullString
		var seen, expires, revoked sql.NullInt64
		if err := sc.Scan(&r.stamp, &tenant, &user, &seen, &expires, &revoked); err != nil {
			return r, err
		}
		if r.found = tenant.Valid && tenant.String == tenantID; r.found {
			r.life = model.SessionLife{TenantID: tenant.String, UserID: user.String, LastSeenAt: fromMillis(seen.Int64),
				ExpiresAt: fromMillis(expires.Int64), RevokedAt: fromNullMillis(revoked)}
		}
		return r, nil
	}, sessionLifeAndStampSQL, sessionID, clientID)
	return r.life, r.found, r.stamp, err
}

func scanSessionLife(sc scanner) (model.SessionLife, error) {
	var l model.SessionLife
	var seen, expires int64
	var revoked sql.NullInt64
	if err := sc.Scan(&l.TenantID, &l.UserID, &seen, &expires, &revoked); err != nil {
		return l, err
	}
	l.LastSeenAt, l.ExpiresAt, l.RevokedAt = fromMillis(seen), fromMillis(expires), fromNullMillis(revoked)
	return l, nil
}

// ListSessions returns a user's sessions, newest first, ended ones included.
func (s *Store) ListSessions(ctx context.Context, tenantID, userID string) ([]model.Session, error) {
	return getAll(ctx, s.reader(), "list sessions", scanSession,
		"SELECT "+sessionCols+" FROM sessions WHERE tenant_id = ? AND user_id = ? ORDER BY created_at DESC, rowid DESC",
		tenantID, userID)
}

// UpdateSession applies updater to the session atomically; its ids cannot change.
func (s *Store) UpdateSession(ctx context.Context, tenantID, id string, updater func(model.Session) (model.Session, error)) error {
	load := func(tx *Store) (model.Session, error) {
		return getOne(ctx, tx.writer(), "update session", scanSession,
			"SELECT "+sessionCols+" FROM sessions WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, sess model.Session) error {
		vals, err := sessionValues(sess)
		if err != nil {
			return errf("update session", err)
		}
		_, err = tx.writer().exec(ctx,
			"UPDATE sessions SET user_id = ?, app_id = ?, client_id = ?, factors = ?, client_attributes = ?, "+
				"created_at = ?, last_seen_at = ?, expires_at = ?, revoked_at = ?, sealed_id = ? WHERE tenant_id = ? AND id = ?",
			append(append([]any{sess.UserID, sess.AppID, sess.ClientID}, vals...), old.TenantID, old.ID)...)
		return errf("update session", err)
	}
	return update(ctx, s, load, updater, store)
}

// TouchSession checks and marks a session in one write: silent logins and refreshes touch a
// session each time.
func (s *Store) TouchSession(ctx context.Context, tenantID, id string, now, idleSince time.Time) (model.Session, error) {
	return getOne(ctx, s.writer(), "touch session", scanSession,
		"UPDATE sessions SET last_seen_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL "+
			"AND expires_at > ? AND last_seen_at > ? RETURNING "+sessionCols,
		millis(now), tenantID, id, millis(now), millis(idleSince))
}
