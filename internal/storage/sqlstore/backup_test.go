package sqlstore

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

// A backup taken by one store while another store on the same file (a running server) keeps
// writing is a complete database as of one commit: it opens, migrates to nothing, and holds at
// least every user committed before the backup began, each whole.
func TestBackupWhileAnotherStoreWrites(t *testing.T) {
	ctx := testContext(t)
	path := filepath.Join(t.TempDir(), "live.db")
	server, err := OpenAndMigrate(ctx, path)
	mustDo(t, err, "open server store")
	defer server.Close()
	tenant := testTenant()
	mustDo(t, server.CreateTenant(ctx, tenant), "create tenant")
	newUser := func(i int64) model.User {
		return model.User{ID: model.NewID(), TenantID: tenant.ID, Email: "u" + strings.Repeat("x", int(i%7)) + model.NewID() + "@example.com",
			Status: model.UserActive, CreatedAt: testNow, UpdatedAt: testNow}
	}
	for i := range int64(50) {
		mustDo(t, server.CreateUser(ctx, newUser(i)), "create user")
	}

	var written atomic.Int64
	written.Store(50)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := int64(0); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := server.CreateUser(ctx, newUser(i)); err != nil {
				t.Errorf("write during the backup: %v", err)
				return
			}
			written.Add(1)
		}
	}()
	// Let the writer get going, so that the backup overlaps its commits.
	for written.Load() < 80 {
		if t.Failed() {
			break
		}
		runtime.Gosched()
	}
	before := written.Load()

	tool, err := Open(ctx, path)
	mustDo(t, err, "open backup store")
	defer tool.Close()
	dest := filepath.Join(t.TempDir(), "copy.db")
	mustDo(t, tool.Backup(ctx, dest), "backup")
	close(stop)
	wg.Wait()
	after := written.Load()

	entries, err := os.ReadDir(filepath.Dir(dest))
	mustDo(t, err, "list backup directory")
	if len(entries) != 1 {
		t.Fatalf("backup directory holds %d files, want the copy alone", len(entries))
	}
	info, err := os.Stat(dest)
	mustDo(t, err, "stat copy")
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("copy mode %v, want 0600: it holds password hashes", info.Mode().Perm())
	}

	copied, err := OpenAndMigrate(ctx, dest)
	mustDo(t, err, "open the copy")
	defer copied.Close()
	_, n, err := copied.ListUsers(ctx, model.UserQuery{TenantID: tenant.ID, Limit: 1})
	mustDo(t, err, "count users in the copy")
	if int64(n) < before || int64(n) > after {
		t.Fatalf("the copy holds %d users; %d were committed before the backup and %d after it", n, before, after)
	}
	if after == before {
		t.Fatalf("no write overlapped the backup; the test proves nothing")
	}
	if err := tool.Backup(ctx, dest); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("a backup over an existing file: %v, want a refusal", err)
	}
}

func TestBackupRefusedOnPostgres(t *testing.T) {
	s := NewTestStore(t, true)
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(testContext(t), dest); !errors.Is(err, ErrBackupPostgres) || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup on PostgreSQL: %v, want ErrBackupPostgres naming pg_dump", err)
	}
	if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused backup left a file: %v", err)
	}
}
