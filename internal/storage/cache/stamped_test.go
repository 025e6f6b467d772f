package cache

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// A read that must be current costs one statement once the node holds the client, and sees
// a change made through another node (or straight in the database) at the very next read,
// however long the TTL.
func TestCurrentReadsCheckTheStamp(t *testing.T) {
	f := newFixture(t)
	fresh := storage.Fresh(context.Background())
	// A second node over the same database, with a TTL long enough that only the stamp can
	// make it see a change.
	other := newStore(f.inner, time.Hour, f.clk.now)
	read := func(s *Store, what string) model.Client {
		t.Helper()
		c, err := s.GetClient(fresh, f.client.ID)
		must(t, err)
		return c
	}
	if n := f.statements(func() { read(f.cached, "first") }); n != 2 {
		t.Fatalf("first current read sent %d statements, want 2 (stamp, row)", n)
	}
	if n := f.statements(func() { read(f.cached, "second") }); n != 1 {
		t.Fatalf("repeated current read sent %d statements, want 1 (the stamp)", n)
	}
	read(other, "other node")

	// The other node rotates the secret: this node's next current read has the new one.
	rotated := []byte("another-secret-hash")
	must(t, other.UpdateClient(context.Background(), f.tenant.ID, f.client.ID, func(c model.Client) (model.Client, error) {
		c.SecretHash, c.TokenEpoch = rotated, c.TokenEpoch+1
		return c, nil
	}))
	if c := read(f.cached, "after rotation"); !bytes.Equal(c.SecretHash, rotated) || c.TokenEpoch != f.client.TokenEpoch+1 {
		t.Fatalf("after another node's rotation: secret %q epoch %d", c.SecretHash, c.TokenEpoch)
	}
	// A change straight in the database (no node's write path) is seen too.
	must(t, f.inner.UpdateClient(context.Background(), f.tenant.ID, f.client.ID, func(c model.Client) (model.Client, error) {
		c.RoleIDs = []string{"read-only"}
		return c, nil
	}))
	if c := read(other, "after a direct change"); len(c.RoleIDs) != 1 || c.RoleIDs[0] != "read-only" {
		t.Fatalf("after a change in the database: roles %v", c.RoleIDs)
	}
	// Deletion ends it at once on both nodes.
	must(t, f.inner.DeleteClient(context.Background(), f.tenant.ID, f.client.ID))
	for _, s := range []*Store{f.cached, other} {
		if _, err := s.GetClient(fresh, f.client.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("current read of a deleted client: %v, want not found", err)
		}
	}
}

// A copy handed out by a current read is the caller's own: changing it changes nothing the
// next read sees.
func TestCurrentReadsHandOutCopies(t *testing.T) {
	f := newFixture(t)
	fresh := storage.Fresh(context.Background())
	c, err := f.cached.GetClient(fresh, f.client.ID)
	must(t, err)
	c.SecretHash[0] ^= 0xff
	c.RedirectURIs[0] = "https://evil.example/"
	again, err := f.cached.GetClient(fresh, f.client.ID)
	must(t, err)
	if !bytes.Equal(again.SecretHash, f.client.SecretHash) || again.RedirectURIs[0] != f.client.RedirectURIs[0] {
		t.Fatalf("a caller's change reached the copy: %+v", again)
	}
}

// A copy read inside a transaction that rolls back is never used: its stamp never reached
// the database.
func TestCurrentReadsIgnoreRolledBackCopies(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	refused := errors.New("refused")
	err := f.inner.InTx(ctx, func(tx storage.Store) error {
		if err := tx.UpdateClient(ctx, f.tenant.ID, f.client.ID, func(c model.Client) (model.Client, error) {
			c.SecretHash = []byte("rolled-back")
			return c, nil
		}); err != nil {
			return err
		}
		// A node's store over the transaction, sharing the node's copies, reads the
		// uncommitted row and keeps it at its uncommitted stamp.
		node := &Store{Store: tx, r: f.cached.r}
		c, err := node.GetClient(storage.Fresh(ctx), f.client.ID)
		if err != nil {
			return err
		}
		if string(c.SecretHash) != "rolled-back" {
			t.Errorf("inside the transaction: secret %q", c.SecretHash)
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("transaction: %v", err)
	}
	c, err := f.cached.GetClient(storage.Fresh(ctx), f.client.ID)
	must(t, err)
	if !bytes.Equal(c.SecretHash, f.client.SecretHash) {
		t.Fatalf("secret after a rolled back rotation: %q", c.SecretHash)
	}
}

// A current read given the client's stamp, read in the same request with another record
// (storage.WithClientStamp), reads nothing when the node holds the client at that stamp, and
// the row when it does not: the stamp given decides as a stamp read would.
func TestCurrentReadsTakeAStampReadWithTheRequest(t *testing.T) {
	f := newFixture(t)
	fresh := storage.Fresh(context.Background())
	stamp, err := f.inner.ClientStamp(context.Background(), f.client.ID)
	must(t, err)
	if n := f.statements(func() {
		_, err := f.cached.GetClient(storage.WithClientStamp(fresh, f.client.ID, stamp), f.client.ID)
		must(t, err)
	}); n != 1 {
		t.Fatalf("current read with its stamp given, no copy held, sent %d statements, want 1 (the row)", n)
	}
	if n := f.statements(func() {
		_, err := f.cached.GetClient(storage.WithClientStamp(fresh, f.client.ID, stamp), f.client.ID)
		must(t, err)
	}); n != 0 {
		t.Fatalf("current read with its stamp given, copy held, sent %d statements, want 0", n)
	}
	// A stamp given for another client does not stand for this one's.
	if n := f.statements(func() {
		_, err := f.cached.GetClient(storage.WithClientStamp(fresh, model.NewID(), stamp), f.client.ID)
		must(t, err)
	}); n != 1 {
		t.Fatalf("current read with another client's stamp given sent %d statements, want 1 (the stamp)", n)
	}

	// Rotated after the copy was made: the request's stamp is the new one, and the row is read.
	rotated := []byte("another-secret-hash")
	must(t, f.inner.UpdateClient(context.Background(), f.tenant.ID, f.client.ID, func(c model.Client) (model.Client, error) {
		c.SecretHash = rotated
		return c, nil
	}))
	now, err := f.inner.ClientStamp(context.Background(), f.client.ID)
	must(t, err)
	c, err := f.cached.GetClient(storage.WithClientStamp(fresh, f.client.ID, now), f.client.ID)
	must(t, err)
	if !bytes.Equal(c.SecretHash, rotated) {
		t.Fatalf("current read with the stamp after a rotation: secret %q", c.SecretHash)
	}
}
