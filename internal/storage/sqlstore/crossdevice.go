package sqlstore

import (
	"context"
	"database/sql"

	"github.com/latchkey/latchkey/internal/model"
)

const ticketCols = "id, tenant_id, app_id, client_id, admin, ticket_hash, flow, user_id, username, " +
	"external_user_id, approval_data, status, ceremony_id, session_ref, session_shown_at, attached_at, " +
	"created_at, updated_at, expires_at, keep_until"

func scanTicket(sc scanner) (model.CrossDeviceTicket, error) {
	var t model.CrossDeviceTicket
	var approval sql.NullString
	var shown, attached sql.NullInt64
	var created, updated, expires, keep int64
	err := sc.Scan(&t.ID, &t.TenantID, &t.AppID, &t.ClientID, &t.Admin, &t.Hash, &t.Flow, &t.UserID,
		&t.Username, &t.ExternalUserID, &approval, &t.Status, &t.CeremonyID, &t.SessionRef, &shown,
		&attached, &created, &updated, &expires, &keep)
	if err != nil {
		return t, err
	}
	t.ApprovalData = rawFromNull(approval)
	t.SessionShown, t.AttachedAt = fromNullMillis(shown), fromNullMillis(attached)
	t.CreatedAt, t.UpdatedAt, t.ExpiresAt, t.KeepUntil = fromMillis(created), fromMillis(updated), fromMillis(expires), fromMillis(keep)
	return t, nil
}

// CreateCrossDeviceTicket stores a new cross-device ticket. Its id and hash are random.
func (s *Store) CreateCrossDeviceTicket(ctx context.Context, t model.CrossDeviceTicket) error {
	_, err := s.execRandomID(ctx, "create cross-device ticket",
		"INSERT INTO cross_device_tickets ("+ticketCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		t.ID, t.TenantID, t.AppID, t.ClientID, t.Admin, t.Hash, t.Flow, t.UserID, t.Username,
		t.ExternalUserID, rawOrNull(t.ApprovalData), t.Status, t.CeremonyID, t.SessionRef,
		millisOrNull(t.SessionShown), millisOrNull(t.AttachedAt), millis(t.CreatedAt), millis(t.UpdatedAt),
		millis(t.ExpiresAt), millis(t.KeepUntil))
	return err
}

// FindCrossDeviceTicket returns the ticket with the given hash, of any tenant.
func (s *Store) FindCrossDeviceTicket(ctx context.Context, hash []byte) (model.CrossDeviceTicket, error) {
	return getOne(ctx, s.reader(), "find cross-device ticket", scanTicket,
		"SELECT "+ticketCols+" FROM cross_device_tickets WHERE ticket_hash = ?", hash)
}

// GetCrossDeviceTicket returns one of the tenant's tickets by id.
func (s *Store) GetCrossDeviceTicket(ctx context.Context, tenantID, id string) (model.CrossDeviceTicket, error) {
	return getOwned(ctx, s.reader(), "get cross-device ticket", scanTicket, func(v model.CrossDeviceTicket) string { return v.TenantID },
		"SELECT "+ticketCols+" FROM cross_device_tickets WHERE id = ?", tenantID, id)
}

// UpdateCrossDeviceTicket applies updater to the ticket atomically; its ids and hash cannot
// change.
func (s *Store) UpdateCrossDeviceTicket(ctx context.Context, tenantID, id string, updater func(model.CrossDeviceTicket) (model.CrossDeviceTicket, error)) error {
	load := func(tx *Store) (model.CrossDeviceTicket, error) {
		return getOne(ctx, tx.writer(), "update cross-device ticket", scanTicket,
			"SELECT "+ticketCols+" FROM cross_device_tickets WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, t model.CrossDeviceTicket) error {
		_, err := tx.writer().exec(ctx,
			"UPDATE cross_device_tickets SET app_id = ?, client_id = ?, admin = ?, flow = ?, user_id = ?, "+
				"username = ?, external_user_id = ?, approval_data = ?, status = ?, ceremony_id = ?, "+
				"session_ref = ?, session_shown_at = ?, attached_at = ?, created_at = ?, updated_at = ?, "+
				"expires_at = ?, keep_until = ? WHERE tenant_id = ? AND id = ?",
			t.AppID, t.ClientID, t.Admin, t.Flow, t.UserID, t.Username, t.ExternalUserID,
			rawOrNull(t.ApprovalData), t.Status, t.CeremonyID, t.SessionRef, millisOrNull(t.SessionShown),
			millisOrNull(t.AttachedAt), millis(t.CreatedAt), millis(t.UpdatedAt), millis(t.ExpiresAt),
			millis(t.KeepUntil), old.TenantID, old.ID)
		return errf("update cross-device ticket", err)
	}
	return update(ctx, s, load, updater, store)
}
