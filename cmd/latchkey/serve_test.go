package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// A port that is taken must stop serve before it creates the first tenant: its secrets are
// printed once, and a process that then fails to listen would lose them with a tenant made.
func TestServeFailsOnBusyPortBeforeCreatingATenant(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, c := range []struct {
		name, listen, admin, want string
	}{
		{"api", busy.Addr().String(), "", "LATCHKEY_LISTEN"},
		{"admin", "127.0.0.1:0", busy.Addr().String(), "LATCHKEY_ADMIN_LISTEN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "latchkey.db")
			// A fresh database with its schema, so that an empty tenant list below is an
			// answer rather than a missing table.
			if code, _, stderr := runCapture(t, "migrate", "--database", db); code != 0 {
				t.Fatalf("migrate: status %d, stderr:\n%s", code, stderr)
			}
			code, stdout, stderr := runCapture(t, "serve", "--database", db, "--listen", c.listen, "--admin-listen", c.admin)
			if code != 1 {
				t.Fatalf("serve on a busy port: status %d, want 1; stderr:\n%s", code, stderr)
			}
			for _, want := range []string{"cannot listen on " + busy.Addr().String(), c.want, "address already in use"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stdout, "secret") || strings.Contains(stdout, "tenant_id") {
				t.Errorf("serve printed credentials before failing:\n%s", stdout)
			}
			if _, err := os.Stat(filepath.Join(dir, "master.key")); err == nil {
				t.Error("serve generated a master key before failing to listen")
			}
			store, err := sqlstore.Open(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			tenants, err := store.ListTenants(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(tenants) != 0 {
				t.Fatalf("serve created %d tenants before failing to listen", len(tenants))
			}
		})
	}
}
