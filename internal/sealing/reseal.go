package sealing

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// Reseal opens every sealed value of the store with from and seals it again with to, in one
// transaction: when any value does not open with from, nothing changes and the error names
// it. It returns how many values it rewrote, the check value included.
//
// Only sealed values move. Client secrets, refresh tokens, one-time codes and recovery codes
// are stored as keyed hashes under keys derived from the master key, and a hash cannot be
// recomputed without the secret it hashes: after a reseal, clients must be given new secrets,
// refresh tokens and pending codes stop working (users sign in again), and recovery codes
// must be generated again.
func Reseal(ctx context.Context, store storage.Store, from, to *secret.Keys) (int, error) {
	n, err := store.ResealAll(ctx, func(v storage.SealedValue) ([]byte, error) {
		ad, err := adOf(v)
		if err != nil {
			return nil, err
		}
		plain, err := from.Open(v.Value, ad)
		if err != nil {
			if errors.Is(err, secret.ErrOpen) {
				return nil, fmt.Errorf("%s %s of tenant %q does not open with the current master key: %w",
					v.Kind, v.ID, v.TenantID, ErrWrongMasterKey)
			}
			return nil, err
		}
		return to.Seal(plain, ad)
	})
	if err != nil {
		return 0, fmt.Errorf("reseal: %w", err)
	}
	return n, nil
}
