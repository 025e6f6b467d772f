package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
)

func TestCommitFloor(t *testing.T) {
	ctx := context.Background()
	f, err := OpenCommitFloor(ctx, filepath.Join(t.TempDir(), "floor.db"))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := f.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := f.s.reader().queryRow(ctx, "SELECT COUNT(*) FROM "+floorTable).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d rows, %v; want 3", n, err)
	}
	st, tx := f.s.Stats()
	if st != 5 || tx != 3 {
		t.Fatalf("%d statements and %d transactions, want 5 and 3 (the table, three inserts, one count)", st, tx)
	}
	if err := f.Close(ctx); err != nil {
		t.Fatal(err)
	}
}
