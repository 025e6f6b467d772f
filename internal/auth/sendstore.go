package auth

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// StoreCode is the write of every send, real or decoy, in one transaction: it spends the
// identifier's unspent codes of rec's purpose, so that a new send invalidates earlier codes,
// stores rec, queues msg when there is one, and records ev. The message's body, which carries
// the code or link, is queued sealed.
func (s *Service) StoreCode(ctx context.Context, c model.Caller, rec model.OneTimeCode, msg *model.OutboxMessage, ev Event, now time.Time) error {
	if msg != nil {
		sealed, err := delivery.SealMessage(s.keys, *msg)
		if err != nil {
			return err
		}
		msg = &sealed
	}
	return s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.SpendCodes(ctx, c.TenantID, c.AppID, rec.Purpose, rec.Identifier, now); err != nil {
			return err
		}
		if err := tx.CreateCode(ctx, rec); err != nil {
			return err
		}
		if msg != nil {
			if err := tx.EnqueueMessage(ctx, *msg); err != nil {
				return err
			}
		}
		return s.Record(ctx, tx, c, ev, now)
	})
}
