// Package sqlstore is the SQL implementation of storage.Store, for SQLite (a single file, pure Go
// driver) and PostgreSQL (through pgx's database/sql driver).
//
// Queries are written once with `?` placeholders; a small dialect rewrites them for PostgreSQL
// and tells the two databases' unique-violation errors apart. Times are stored in both dialects
// as BIGINT unix milliseconds, nested values as JSON text, and hashes as BLOB / BYTEA. The schema
// lives in embedded, numbered migrations that Migrate applies once each.
//
// On SQLite the store keeps two connection pools: a single writer connection whose transactions
// begin IMMEDIATE, so that writers queue instead of failing with SQLITE_BUSY, and a pool of
// read-only connections that WAL mode lets run beside the writer. On PostgreSQL one pool serves
// both, and read-modify-write updates lock their row with SELECT ... FOR UPDATE. Rate-limit
// counters need neither: each hit is one INSERT ... ON CONFLICT DO UPDATE ... RETURNING, atomic
// on both databases.
//
// Two things keep a login's commit short. On PostgreSQL a transaction holds its last writes
// (a login's mark, session, refresh token, audit event) back and sends them as one statement
// before its next statement or its commit (batch.go). On SQLite no commit checkpoints the
// write-ahead log; a goroutine of the store does, in the background (checkpoint.go).
package sqlstore
