package cache

import (
	"context"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// maxEntries bounds each kind of record held: a deployment with more live clients than this
// simply reads the rest from the database.
const maxEntries = 10000

type appKey struct{ tenant, id string }

type entry[T any] struct {
	v       T
	expires time.Time
}

// records is the copy one node holds. gen moves on every write through the node, so that a
// read that started before a write never stores what it read.
type records struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	gen     uint64
	tenants map[string]entry[model.Tenant]
	apps    map[appKey]entry[model.Application]
	clients map[string]entry[model.Client]

	// stamped serves the reads that must be current; see stamped.go.
	stamped stamped
}

func (r *records) clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen++
	r.tenants = map[string]entry[model.Tenant]{}
	r.apps = map[appKey]entry[model.Application]{}
	r.clients = map[string]entry[model.Client]{}
}

// lookup returns a live copy from m, or the generation a read from the database must carry
// to be stored.
func lookup[K comparable, T any](r *records, m func() map[K]entry[T], k K) (T, bool, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := m()[k]
	if ok && r.now().Before(e.expires) {
		return e.v, true, r.gen
	}
	var zero T
	return zero, false, r.gen
}

// keep stores v read at generation gen, unless a write has happened since.
func keep[K comparable, T any](r *records, m func() map[K]entry[T], k K, v T, gen uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gen != gen {
		return
	}
	mm := m()
	if _, ok := mm[k]; !ok && len(mm) >= maxEntries {
		evictOne(mm, r.now())
	}
	mm[k] = entry[T]{v: v, expires: r.now().Add(r.ttl)}
}

// evictProbes is how many entries a full kind looks at for an expired one to drop.
const evictProbes = 8

// evictOne makes room for one entry in a full kind: an expired entry among the first few a
// map iteration visits (its order is random), or else the first visited. Dropping one entry
// at a time keeps the rest of the copy warm; emptying the whole kind at once would send every
// node's next few thousand reads to the database together.
func evictOne[K comparable, T any](mm map[K]entry[T], now time.Time) {
	var first K
	probes := 0
	for k, e := range mm {
		if probes == 0 {
			first = k
		}
		if !now.Before(e.expires) {
			delete(mm, k)
			return
		}
		if probes++; probes == evictProbes {
			break
		}
	}
	delete(mm, first)
}

// Store is a storage.Store whose tenant, application and client reads are served from memory
// for up to the TTL.
type Store struct {
	storage.Store
	r *records
	// tx is set on the store handed to an InTx function: reads there bypass the copy once the
	// transaction has written a cached kind of record, since what it sees is not yet committed.
	tx *txState
}

type txState struct{ wrote bool }

// New wraps inner; a ttl of zero or less returns inner itself.
func New(inner storage.Store, ttl time.Duration) storage.Store {
	if ttl <= 0 {
		return inner
	}
	return newStore(inner, ttl, time.Now)
}

func newStore(inner storage.Store, ttl time.Duration, now func() time.Time) *Store {
	r := &records{ttl: ttl, now: now}
	r.clear()
	return &Store{Store: inner, r: r}
}

// InTx runs fn in the inner store's transaction, with a store that keeps using the copy, and
// clears the copy after the transaction when fn wrote a cached kind of record.
func (s *Store) InTx(ctx context.Context, fn func(tx storage.Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	st := &txState{}
	err := s.Store.InTx(ctx, func(tx storage.Store) error {
		return fn(&Store{Store: tx, r: s.r, tx: st})
	})
	if st.wrote {
		s.r.clear()
	}
	return err
}

// wrote records a write of a cached kind: the copy is cleared now and, in a transaction,
// again when it ends.
func (s *Store) wrote() {
	s.r.clear()
	if s.tx != nil {
		s.tx.wrote = true
	}
}

func (s *Store) bypass() bool { return s.tx != nil && s.tx.wrote }
