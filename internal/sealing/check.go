package sealing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// checkName names the check value of the master key.
const checkName = "master_key"

// checkPlaintext is what the check value seals; any constant does.
var checkPlaintext = []byte("latchkey master key check v1")

// ErrWrongMasterKey reports that the configured master key does not open what the database
// holds: the node would start, report ready, and refuse every client.
var ErrWrongMasterKey = errors.New("the master key does not open the values sealed in this database: " +
	"it is not the key they were sealed with. Configure the master key this deployment was set up with " +
	"(LATCHKEY_MASTER_KEY or the master key file); to move to a new key, run 'latchkey keys reseal' with both")

// VerifyMasterKey checks that keys open the database's sealed values, and returns
// ErrWrongMasterKey when they do not. The proof is a check value sealed under the master key:
// the first node of a deployment (or the first after an upgrade) writes it, once it has made
// sure that the key opens a stored signing key, if there is one.
func VerifyMasterKey(ctx context.Context, store storage.Store, keys *secret.Keys, now time.Time) error {
	for range 2 {
		sealed, err := store.GetSealedCheck(ctx, checkName)
		if err == nil {
			if _, err := keys.Open(sealed, CheckAD(checkName)); err != nil {
				return ErrWrongMasterKey
			}
			return nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("read master key check: %w", err)
		}
		if err := openOneSigningKey(ctx, store, keys); err != nil {
			return err
		}
		check, err := keys.Seal(checkPlaintext, CheckAD(checkName))
		if err != nil {
			return fmt.Errorf("seal master key check: %w", err)
		}
		err = store.CreateSealedCheck(ctx, checkName, check, now)
		if err == nil {
			return nil
		}
		if !errors.Is(err, storage.ErrAlreadyExists) {
			return fmt.Errorf("store master key check: %w", err)
		}
		// Another node wrote it first: check against theirs.
	}
	return errors.New("master key check: could not be read or written")
}

// openOneSigningKey opens the first stored signing key, for a database sealed before check
// values existed; a database without keys has nothing to contradict the key.
func openOneSigningKey(ctx context.Context, store storage.Store, keys *secret.Keys) error {
	tenants, err := store.ListTenants(ctx)
	if err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	for _, t := range tenants {
		list, err := store.ListSigningKeys(ctx, t.ID)
		if err != nil {
			return fmt.Errorf("list signing keys: %w", err)
		}
		for _, k := range list {
			if len(k.PrivateEnc) == 0 {
				continue
			}
			if _, err := keys.Open(k.PrivateEnc, SigningKeyAD(k.TenantID, k.ID)); err != nil {
				return ErrWrongMasterKey
			}
			return nil
		}
	}
	return nil
}
