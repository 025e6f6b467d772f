package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/storage"
)

// GetSealedCheck returns a sealed check value.
func (s *Store) GetSealedCheck(ctx context.Context, name string) ([]byte, error) {
	return getOne(ctx, s.reader(), "get sealed check", func(sc scanner) ([]byte, error) {
		var b []byte
		err := sc.Scan(&b)
		return b, err
	}, "SELECT sealed FROM sealed_checks WHERE name = ?", name)
}

// CreateSealedCheck stores a check value under a new name.
func (s *Store) CreateSealedCheck(ctx context.Context, name string, sealed []byte, at time.Time) error {
	_, err := s.execUnique(ctx, "create sealed check",
		"INSERT INTO sealed_checks (name, sealed, created_at) VALUES (?, ?, ?)", name, sealed, millis(at))
	return err
}

// sealedColumn is one column that holds values sealed under the master key. Every such column
// of the schema is listed here, so that resealing cannot miss one; a test compares the list
// with the schema's binary columns.
type sealedColumn struct {
	kind   string
	table  string
	column string
	// selectCols read, in order, the tenant id, the record id, and (for messages) the kind
	// and recipient; where filters the rows that hold a sealed value.
	selectCols string
	where      string
	key        string // the update's WHERE clause, given the selected tenant id and record id
}

var sealedColumns = []sealedColumn{
	{storage.SealedSigningKey, "signing_keys", "private_enc", "tenant_id, id, '', ''", "private_enc IS NOT NULL", "tenant_id = ? AND id = ?"},
	{storage.SealedTOTP, "credentials", "secret", "tenant_id, id, '', ''", "type = 'totp' AND secret IS NOT NULL", "tenant_id = ? AND id = ?"},
	{storage.SealedWebhookSecret, "tenants", "webhook_secret", "id, id, '', ''", "webhook_secret IS NOT NULL", "id = ? AND id = ?"}, // a tenant is its own tenant
	{storage.SealedMessage, "outbox", "sealed_body", "tenant_id, id, kind, to_addr", "sealed_body IS NOT NULL", "tenant_id = ? AND id = ?"},
	{storage.SealedSessionID, "sessions", "sealed_id", "tenant_id, id, '', ''", "sealed_id IS NOT NULL", "tenant_id = ? AND id = ?"},
	{storage.SealedCheck, "sealed_checks", "sealed", "'', name, '', ''", "1 = 1", "? = '' AND name = ?"}, // a check belongs to no tenant
}

// ResealAll rewrites every sealed value in one transaction.
func (s *Store) ResealAll(ctx context.Context, reseal func(storage.SealedValue) ([]byte, error)) (int, error) {
	var total int
	err := s.inOwnTx(ctx, func(tx *Store) error {
		total = 0 // the transaction may run again
		w := tx.writer()
		for _, col := range sealedColumns {
			values, err := getAll(ctx, w, "list sealed "+col.kind, func(sc scanner) (storage.SealedValue, error) {
				v := storage.SealedValue{Kind: col.kind}
				err := sc.Scan(&v.TenantID, &v.ID, &v.MessageKind, &v.To, &v.Value)
				return v, err
			}, "SELECT "+col.selectCols+", "+col.column+" FROM "+col.table+" WHERE "+col.where+" ORDER BY 2")
			if err != nil {
				return err
			}
			for _, v := range values {
				next, err := reseal(v)
				if err != nil {
					return err
				}
				n, err := w.execAffected(ctx, "UPDATE "+col.table+" SET "+col.column+" = ? WHERE "+col.key,
					next, v.TenantID, v.ID)
				if err := mustAffect(fmt.Sprintf("reseal %s %s", col.kind, v.ID), n, err); err != nil {
					return err
				}
				total++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}
