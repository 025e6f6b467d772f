package sqlstore

import (
	"context"
	"crypto/rand"
	"fmt"
)

// floorRowBytes is about what a login's session row holds (ids, factors, client attributes,
// the sealed id, timestamps).
const floorRowBytes = 320

// CommitFloor writes the one durable commit a login cannot avoid, for the benchmark's floor:
// a transaction inserting one session-sized row into a table of its own, on the same engine,
// pool and settings as the store (SQLite's single IMMEDIATE writer in WAL mode, or a
// PostgreSQL pool at READ COMMITTED), and nothing else.
type CommitFloor struct {
	s *Store
}

// floorTable holds the floor's rows: a random primary key and a payload, no other index.
const floorTable = "latchkey_bench_floor"

// OpenCommitFloor opens dsn as Open does and creates the floor's table there.
func OpenCommitFloor(ctx context.Context, dsn string) (*CommitFloor, error) {
	s, err := Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	blob := "BLOB"
	if s.d.postgres {
		blob = "BYTEA"
	}
	if _, err := s.writer().exec(ctx, "CREATE TABLE IF NOT EXISTS "+floorTable+" (id "+blob+" PRIMARY KEY, body "+blob+" NOT NULL)"); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("create floor table: %w", err)
	}
	return &CommitFloor{s: s}, nil
}

// Commit inserts one row in a transaction of its own and commits it.
func (f *CommitFloor) Commit(ctx context.Context) error {
	row := make([]byte, 16+floorRowBytes)
	_, _ = rand.Read(row)
	return f.s.runTx(ctx, false, func(tx *Store) error {
		_, err := tx.writer().exec(ctx, "INSERT INTO "+floorTable+" (id, body) VALUES (?, ?)", row[:16], row[16:])
		return err
	})
}

// Close drops the floor's table and closes the connections.
func (f *CommitFloor) Close(ctx context.Context) error {
	_, _ = f.s.writer().exec(ctx, "DROP TABLE IF EXISTS "+floorTable)
	return f.s.Close()
}
