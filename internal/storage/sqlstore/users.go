package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

const userCols = "id, tenant_id, email, email_verified_at, phone_number, phone_verified_at, username, " +
	"external_user_id, name, address, birthday, picture, language, secondary_emails, secondary_phones, " +
	"custom_data, status, created_at, updated_at, last_auth_at, status_changed_at, address_updated_at, " +
	"secondary_verified"

// userSetCols are the columns an update writes, in userValues order after the ids.
const userSetCols = "email = ?, email_verified_at = ?, phone_number = ?, phone_verified_at = ?, username = ?, " +
	"external_user_id = ?, name = ?, address = ?, birthday = ?, picture = ?, language = ?, " +
	"secondary_emails = ?, secondary_phones = ?, custom_data = ?, status = ?, created_at = ?, " +
	"updated_at = ?, last_auth_at = ?, status_changed_at = ?, address_updated_at = ?, secondary_verified = ?"

// userColCount is how many columns userCols names.
var userColCount = strings.Count(userCols, ",") + 1

// userLookupCols are the columns GetUserBy accepts, from the storage.UserBy* constants.
var userLookupCols = map[string]string{
	storage.UserByEmail:          "email",
	storage.UserByPhone:          "phone_number",
	storage.UserByUsername:       "username",
	storage.UserByExternalUserID: "external_user_id",
}

func scanUser(sc scanner) (model.User, error) {
	var u model.User
	var email, phone, username, external, custom, secondaryVerified sql.NullString
	var emailVerified, phoneVerified, lastAuth, statusChanged, addressUpdated sql.NullInt64
	var name, address, emails, phones string
	var created, updated int64
	err := sc.Scan(&u.ID, &u.TenantID, &email, &emailVerified, &phone, &phoneVerified, &username,
		&external, &name, &address, &u.Birthday, &u.Picture, &u.Language, &emails, &phones,
		&custom, &u.Status, &created, &updated, &lastAuth, &statusChanged, &addressUpdated, &secondaryVerified)
	if err != nil {
		return u, err
	}
	u.Email, u.PhoneNumber, u.Username, u.ExternalUserID = email.String, phone.String, username.String, external.String
	u.EmailVerifiedAt, u.PhoneVerifiedAt, u.LastAuthAt = fromNullMillis(emailVerified), fromNullMillis(phoneVerified), fromNullMillis(lastAuth)
	u.StatusChangedAt, u.AddressUpdatedAt = fromNullMillis(statusChanged), fromNullMillis(addressUpdated)
	u.CustomData = rawFromNull(custom)
	u.CreatedAt, u.UpdatedAt = fromMillis(created), fromMillis(updated)
	for _, f := range []struct {
		text string
		into any
	}{{name, &u.Name}, {address, &u.Address}, {emails, &u.SecondaryEmails}, {phones, &u.SecondaryPhones}} {
		if err := fromJSONText(f.text, f.into); err != nil {
			return u, err
		}
	}
	if secondaryVerified.Valid {
		var ms map[string]int64
		if err := fromJSONText(secondaryVerified.String, &ms); err != nil {
			return u, err
		}
		u.SecondaryVerifiedAt = make(map[string]time.Time, len(ms))
		for v, at := range ms {
			u.SecondaryVerifiedAt[v] = fromMillis(at)
		}
	}
	return u, nil
}

// userValues returns the columns of u written after its ids, in userSetCols order.
func userValues(u model.User) ([]any, error) {
	var texts [4]string
	for i, v := range []any{u.Name, u.Address, u.SecondaryEmails, u.SecondaryPhones} {
		t, err := jsonText(v)
		if err != nil {
			return nil, err
		}
		texts[i] = t
	}
	var verified any // NULL when no secondary value is verified
	if len(u.SecondaryVerifiedAt) > 0 {
		ms := make(map[string]int64, len(u.SecondaryVerifiedAt))
		for v, at := range u.SecondaryVerifiedAt {
			ms[v] = millis(at)
		}
		t, err := jsonText(ms)
		if err != nil {
			return nil, err
		}
		verified = t
	}
	return []any{nullIfEmpty(u.Email), millisOrNull(u.EmailVerifiedAt), nullIfEmpty(u.PhoneNumber),
		millisOrNull(u.PhoneVerifiedAt), nullIfEmpty(u.Username), nullIfEmpty(u.ExternalUserID),
		texts[0], texts[1], u.Birthday, u.Picture, u.Language, texts[2], texts[3], rawOrNull(u.CustomData),
		u.Status, millis(u.CreatedAt), millis(u.UpdatedAt), millisOrNull(u.LastAuthAt),
		millisOrNull(u.StatusChangedAt), millisOrNull(u.AddressUpdatedAt), verified}, nil
}

// CreateUser stores a new user; each identifier is unique within the tenant when set.
func (s *Store) CreateUser(ctx context.Context, u model.User) error {
	vals, err := userValues(u)
	if err != nil {
		return errf("create user", err)
	}
	_, err = s.execUnique(ctx, "create user",
		"INSERT INTO users ("+userCols+") VALUES ("+placeholders(userColCount)+")",
		append([]any{u.ID, u.TenantID}, vals...)...)
	return err
}

// GetUser returns one of the tenant's users.
func (s *Store) GetUser(ctx context.Context, tenantID, id string) (model.User, error) {
	return getOwned(ctx, s.reader(), "get user", scanUser, func(v model.User) string { return v.TenantID },
		"SELECT "+userCols+" FROM users WHERE id = ?", tenantID, id)
}

// GetUserBy finds one of the tenant's users by a storage.UserBy* field.
func (s *Store) GetUserBy(ctx context.Context, tenantID, field, value string) (model.User, error) {
	col, ok := userLookupCols[field]
	if !ok {
		return model.User{}, fmt.Errorf("get user by %q: unknown field", field)
	}
	if value == "" {
		return model.User{}, fmt.Errorf("get user by %s: %w", field, storage.ErrNotFound)
	}
	return getOne(ctx, s.reader(), "get user by "+field, scanUser,
		"SELECT "+userCols+" FROM users WHERE tenant_id = ? AND "+col+" = ?", tenantID, value)
}

// LookupUser finds one of the tenant's users by a storage.UserBy* field or, when nobody
// matches, reads the stand-in's row in the same statement and discards it. Either way the
// statement makes the same moves: it probes the field's index for an id (falling back to the
// stand-in's), then reads one row by primary key; found tells the two apart.
func (s *Store) LookupUser(ctx context.Context, tenantID, field, value, standIn string) (model.User, error) {
	col, ok := userLookupCols[field]
	if field == storage.UserByID {
		col, ok = "id", true
	}
	if !ok {
		return model.User{}, fmt.Errorf("look user up by %q: unknown field", field)
	}
	var found bool
	scan := func(sc scanner) (model.User, error) { return scanUser(prefixScanner{sc, &found}) }
	u, err := getOne(ctx, s.reader(), "look user up by "+field, scan,
		"SELECT CASE WHEN "+col+" = ? THEN 1 ELSE 0 END, "+userCols+" FROM users WHERE tenant_id = ? AND id = "+
			"COALESCE((SELECT id FROM users WHERE tenant_id = ? AND "+col+" = ?), ?)",
		value, tenantID, tenantID, value, standIn)
	if err != nil {
		return model.User{}, err
	}
	if !found || value == "" {
		return model.User{}, fmt.Errorf("look user up by %s: %w", field, storage.ErrNotFound)
	}
	return u, nil
}

// prefixScanner scans a row's first column into first and the rest as sc's caller asks.
type prefixScanner struct {
	sc    scanner
	first any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.sc.Scan(append([]any{p.first}, dest...)...)
}

// UpdateUser applies updater to the user atomically; their ids cannot change.
func (s *Store) UpdateUser(ctx context.Context, tenantID, id string, updater func(model.User) (model.User, error)) error {
	load := func(tx *Store) (model.User, error) {
		return getOne(ctx, tx.writer(), "update user", scanUser,
			"SELECT "+userCols+" FROM users WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, u model.User) error {
		vals, err := userValues(u)
		if err != nil {
			return errf("update user", err)
		}
		_, err = tx.execUnique(ctx, "update user",
			"UPDATE users SET "+userSetCols+" WHERE tenant_id = ? AND id = ?", append(vals, old.TenantID, old.ID)...)
		return err
	}
	return update(ctx, s, load, updater, store)
}

// MarkLogin records a login without reading the user first: logins are the hottest write.
func (s *Store) MarkLogin(ctx context.Context, tenantID, id string, at time.Time, verifyEmail, verifyPhone bool) error {
	ms := millis(at)
	query := "UPDATE users SET last_auth_at = ?, " +
		"email_verified_at = CASE WHEN ? AND email_verified_at IS NULL THEN ? ELSE email_verified_at END, " +
		"phone_verified_at = CASE WHEN ? AND phone_verified_at IS NULL THEN ? ELSE phone_verified_at END " +
		"WHERE tenant_id = ? AND id = ?"
	args := []any{ms, verifyEmail, ms, verifyPhone, ms, tenantID, id}
	if s.holding() {
		// A user gone by the commit fails it with ErrNotFound, as the update would have.
		return s.hold(ctx, heldWrite{what: "mark login", table: "users", query: query, args: args, mustAffect: true})
	}
	n, err := s.writer().execAffected(ctx, query, args...)
	return mustAffect("mark login", n, err)
}

// deleteUserTokens deletes a user's refresh tokens, found through the user's sessions
// (sessions_user_idx, then refresh_tokens_session_idx).
const deleteUserTokens = "DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE tenant_id = ? AND user_id = ?)"

// DeleteUser deletes the user with their application links, sessions, refresh tokens and
// credentials.
func (s *Store) DeleteUser(ctx context.Context, tenantID, id string) error {
	return s.inOwnTx(ctx, func(tx *Store) error {
		w := tx.writer()
		n, err := w.execAffected(ctx, "DELETE FROM users WHERE tenant_id = ? AND id = ?", tenantID, id)
		if err := mustAffect("delete user", n, err); err != nil {
			return err
		}
		// Refresh tokens go through their sessions, before those (no index serves a token's
		// user_id: every token is under a session of its user).
		if _, err := w.exec(ctx, deleteUserTokens, tenantID, id); err != nil {
			return errf("delete user: refresh_tokens", err)
		}
		for _, table := range []string{"app_users", "sessions", "credentials", "group_users"} {
			if _, err := w.exec(ctx, "DELETE FROM "+table+" WHERE tenant_id = ? AND user_id = ?", tenantID, id); err != nil {
				return errf("delete user: "+table, err)
			}
		}
		return nil
	})
}
