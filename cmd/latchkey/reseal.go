package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/latchkey/latchkey/internal/sealing"
	"github.com/latchkey/latchkey/internal/secret"
)

const resealSummary = `move every value sealed under the master key (signing keys, TOTP keys,
webhook secrets, queued message bodies) to a new master key, in one transaction.
Stop every node first, then start them all with the new key. Client secrets,
refresh tokens, pending codes and recovery codes are keyed hashes that cannot be
moved: see docs/operations.md.`

func runReseal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var newKeyFile string
	cfg, _, err := loadConfig("keys reseal", strings.TrimSpace(resealSummary)+
		"\n\nThe current key is the configured one (LATCHKEY_MASTER_KEY or the master key file); the new\none is read from --new-master-key-file or LATCHKEY_NEW_MASTER_KEY.",
		args, stderr, func(fs *flagSet) {
			fs.StringVar(&newKeyFile, "new-master-key-file", "", "file holding the new master key (base64 or hex)")
		})
	if err != nil {
		return err
	}
	raw := os.Getenv("LATCHKEY_NEW_MASTER_KEY")
	if newKeyFile != "" {
		data, err := os.ReadFile(newKeyFile)
		if err != nil {
			return fmt.Errorf("read new master key: %w", err)
		}
		raw = string(data)
	}
	if strings.TrimSpace(raw) == "" {
		return errors.New("no new master key: pass --new-master-key-file or set LATCHKEY_NEW_MASTER_KEY (generate one with: head -c 32 /dev/urandom | base64)")
	}
	newMaster, err := secret.ParseMasterKey(raw)
	if err != nil {
		return fmt.Errorf("new master key: %w", err)
	}
	log := newLogger(cfg, stderr)
	oldMaster, err := masterKey(cfg, log)
	if err != nil {
		return err
	}
	if bytes.Equal(oldMaster, newMaster) {
		return errors.New("the new master key is the current one")
	}
	newKeys, err := secret.NewKeys(newMaster)
	if err != nil {
		return err
	}
	// openApp refuses a current key that does not open the database.
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := sealing.Reseal(ctx, a.store, a.keys, newKeys)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, `resealed %d values under the new master key.

Next:
  1. Configure every node with the new master key and start them. A node started with the
     old key now refuses to start.
  2. Client secrets, refresh tokens, pending one-time codes and links, and recovery codes are
     keyed hashes under the old key and no longer match: issue new client secrets (latchkey
     init --tenant NAME --rotate-secrets for each tenant's admin and demo clients, then the
     admin API for the others); users sign in again and generate new recovery codes.
`, n)
	return nil
}
