package token

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// memStore is a minimal in-memory KeyStore following the storage contracts the Manager relies
// on.
type memStore struct {
	mu      sync.Mutex
	tenants map[string]model.Tenant
	keys    map[string]model.SigningKey // by id
	seq     map[string]int              // insertion order, for "oldest first"
	next    int
}

var _ testStore = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{tenants: map[string]model.Tenant{}, keys: map[string]model.SigningKey{}, seq: map[string]int{}}
}

func (s *memStore) CreateTenant(_ context.Context, t model.Tenant) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tenants[t.ID]; ok {
		return storage.ErrAlreadyExists
	}
	s.tenants[t.ID] = t
	return nil
}

func (s *memStore) GetTenant(_ context.Context, id string) (model.Tenant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tenants[id]
	if !ok {
		return model.Tenant{}, fmt.Errorf("tenant %s: %w", id, storage.ErrNotFound)
	}
	return t, nil
}

func (s *memStore) ListTenants(context.Context) ([]model.Tenant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []model.Tenant
	for _, t := range s.tenants {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (s *memStore) UpdateTenant(_ context.Context, id string, fn func(model.Tenant) (model.Tenant, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tenants[id]
	if !ok {
		return storage.ErrNotFound
	}
	t, err := fn(t)
	if err != nil {
		return err
	}
	s.tenants[id] = t
	return nil
}

func (s *memStore) CreateSigningKey(_ context.Context, k model.SigningKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[k.ID]; ok {
		return storage.ErrAlreadyExists
	}
	s.keys[k.ID] = k
	s.next++
	s.seq[k.ID] = s.next
	return nil
}

func (s *memStore) ListSigningKeys(_ context.Context, tenantID string) ([]model.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []model.SigningKey
	for _, k := range s.keys {
		if k.TenantID == tenantID {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return s.seq[out[i].ID] < s.seq[out[j].ID] })
	return out, nil
}

func (s *memStore) ListAllSigningKeys(context.Context) ([]model.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []model.SigningKey
	for _, k := range s.keys {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return s.seq[out[i].ID] < s.seq[out[j].ID] })
	return out, nil
}

func (s *memStore) UpdateSigningKey(_ context.Context, tenantID, id string, fn func(model.SigningKey) (model.SigningKey, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if !ok || k.TenantID != tenantID {
		return storage.ErrNotFound
	}
	k, err := fn(k)
	if err != nil {
		return err
	}
	s.keys[id] = k
	return nil
}

func (s *memStore) DeleteSigningKey(_ context.Context, tenantID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if !ok || k.TenantID != tenantID {
		return storage.ErrNotFound
	}
	delete(s.keys, id)
	return nil
}
