package cache

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
)

// Writes of a cached kind go to the inner store between two clears of the copy: the first
// stops reads in flight from storing what they read, the second drops what a read stored
// while the write was not yet committed.

func (s *Store) write(err func() error) error {
	s.wrote()
	e := err()
	if s.tx == nil {
		s.r.clear()
	}
	return e
}

func (s *Store) UpdateTenant(ctx context.Context, id string, updater func(model.Tenant) (model.Tenant, error)) error {
	return s.write(func() error { return s.Store.UpdateTenant(ctx, id, updater) })
}

func (s *Store) UpdateApplication(ctx context.Context, tenantID, id string, updater func(model.Application) (model.Application, error)) error {
	return s.write(func() error { return s.Store.UpdateApplication(ctx, tenantID, id, updater) })
}

// DeleteApplication also deletes the application's clients, which the clear drops too.
func (s *Store) DeleteApplication(ctx context.Context, tenantID, id string) error {
	return s.write(func() error { return s.Store.DeleteApplication(ctx, tenantID, id) })
}

func (s *Store) UpdateClient(ctx context.Context, tenantID, id string, updater func(model.Client) (model.Client, error)) error {
	return s.write(func() error { return s.Store.UpdateClient(ctx, tenantID, id, updater) })
}

func (s *Store) DeleteClient(ctx context.Context, tenantID, id string) error {
	return s.write(func() error { return s.Store.DeleteClient(ctx, tenantID, id) })
}

// Creates count as writes too: a record created in a transaction that is rolled back must not
// stay in the copy because the transaction read it.

func (s *Store) CreateTenant(ctx context.Context, t model.Tenant) error {
	return s.write(func() error { return s.Store.CreateTenant(ctx, t) })
}

func (s *Store) CreateApplication(ctx context.Context, a model.Application) error {
	return s.write(func() error { return s.Store.CreateApplication(ctx, a) })
}

func (s *Store) CreateClient(ctx context.Context, c model.Client) error {
	return s.write(func() error { return s.Store.CreateClient(ctx, c) })
}
