package sqlstore

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func walSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path + "-wal")
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func fillRows(t *testing.T, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	for range n {
		body := make([]byte, 16<<10)
		_, _ = rand.Read(body)
		err := s.runTx(ctx, false, func(tx *Store) error {
			_, err := tx.writer().exec(ctx, "INSERT INTO fill (body) VALUES (?)", body)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckpointsKeepTheLogBounded checks that, with checkpoints off in commits, the store's
// own checkpoints keep the write-ahead log from growing without end, and that commits never
// checkpoint themselves.
func TestCheckpointsKeepTheLogBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp.db")
	// A lower truncation bound, set before the store starts its checkpointer and put back
	// after Close has stopped it, so that the two never touch it at once.
	defer func(old int) { checkpointTruncatePages = old }(checkpointTruncatePages)
	checkpointTruncatePages = 4000
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var auto int
	if err := s.w.QueryRow("PRAGMA wal_autocheckpoint").Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("the writer's wal_autocheckpoint is %d (%v), want 0", auto, err)
	}
	if _, err := s.w.Exec("CREATE TABLE fill (body BLOB)"); err != nil {
		t.Fatal(err)
	}
	// 24 MB of rows: past a truncation bound of 16 MB of 4 KB pages if nothing checkpointed.
	fillRows(t, s, 1500)
	// The checkpointer's next rounds bring it under the bound; a slow machine (or the race
	// detector) may need a few of them.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := walSize(t, path)
		if got <= int64(checkpointTruncatePages)*4096 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log is %d bytes after 1500 commits of 16 KB, above its bound", got)
		}
		time.Sleep(checkpointIdleEvery)
	}
}

// TestCrashKeepsCommitsTheCheckpointerHadNotCopied checks that commits still in the log, not
// yet copied into the database file, survive a crash: a copy of the files taken while the
// store runs, as a crash leaves them, opens with every row.
func TestCrashKeepsCommitsTheCheckpointerHadNotCopied(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cp.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec("CREATE TABLE fill (body BLOB)"); err != nil {
		t.Fatal(err)
	}
	// Stop the checkpoints first, so that the rows are in the log only.
	close(s.cp.stop)
	s.cp.done.Wait()
	fillRows(t, s, 20)
	if walSize(t, path) == 0 {
		t.Fatal("the rows did not go to the log")
	}
	crashed := filepath.Join(t.TempDir(), "crashed.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crashed+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s.cp.stop = make(chan struct{}) // so that Close can stop it again
	s.cp.done.Add(1)
	go s.cp.run()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := walSize(t, path); got != 0 {
		t.Fatalf("the log is %d bytes after Close, want it emptied", got)
	}
	for _, p := range []string{path, crashed} {
		r, err := Open(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := r.r.QueryRow("SELECT COUNT(*) FROM fill").Scan(&n); err != nil || n != 20 {
			t.Fatalf("%s: %d rows (%v), want 20", filepath.Base(p), n, err)
		}
		_ = r.Close()
	}
}
