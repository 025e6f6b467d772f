package cache

import (
	"context"
	"sync"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// stamped holds clients by the stamp they were read at, for reads that must be current
// (storage.Fresh): the check of a client's secret and of the client behind a token. Such a
// read asks the database for the client's stamp only, and uses the copy when it was read at
// that stamp. The stamp is replaced by every change of the row, whatever node or statement
// makes it, so a copy at the current stamp is the row as it is now: a rotation or deletion
// through any node is seen at the next request, exactly as when the whole row was read, while
// decoding the row (a fifth of a client-credentials request's CPU) happens once per change.
//
// Copies are not tied to the TTL or cleared by writes: a copy's stamp either matches the
// database or it does not. A copy read inside a transaction that later rolls back carries a
// stamp that never reaches the database, so it is never used.
type stamped struct {
	mu      sync.Mutex
	clients map[string]model.Client
}

func (st *stamped) get(id string, stamp int64) (model.Client, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	c, ok := st.clients[id]
	if !ok || c.Stamp != stamp {
		return model.Client{}, false
	}
	return c, true
}

func (st *stamped) put(c model.Client) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.clients == nil {
		st.clients = map[string]model.Client{}
	}
	if _, ok := st.clients[c.ID]; !ok && len(st.clients) >= maxEntries {
		for k := range st.clients { // one entry, at random: the rest stay warm
			delete(st.clients, k)
			break
		}
	}
	st.clients[c.ID] = c
}

// currentClient answers a read of a client that must be current: one statement reading the
// stamp (none when the request read it already, storage.WithClientStamp), and the whole row
// only when this node holds no copy at that stamp.
func (s *Store) currentClient(ctx context.Context, id string) (model.Client, error) {
	stamp, ok := storage.ClientStampOf(ctx, id)
	if !ok {
		var err error
		if stamp, err = s.Store.ClientStamp(ctx, id); err != nil {
			return model.Client{}, err
		}
	}
	if c, ok := s.r.stamped.get(id, stamp); ok {
		return cloneClient(c), nil
	}
	c, err := s.Store.GetClient(ctx, id)
	if err != nil {
		return model.Client{}, err
	}
	s.r.stamped.put(cloneClient(c))
	return c, nil
}
