package storagetest_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/storage/storagetest"
)

type mutant struct {
	storage.Store
	mode string
}

func (m mutant) InTx(ctx context.Context, fn func(storage.Store) error) error {
	return m.Store.InTx(ctx, func(tx storage.Store) error { return fn(mutant{tx, m.mode}) })
}

func (m mutant) GetApplication(ctx context.Context, tenantID, id string) (model.Application, error) {
	if m.mode != "tenantleak" {
		return m.Store.GetApplication(ctx, tenantID, id)
	}
	ts, _ := m.Store.ListTenants(ctx)
	for _, tn := range ts {
		if a, err := m.Store.GetApplication(ctx, tn.ID, id); err == nil {
			return a, nil
		}
	}
	return model.Application{}, storage.ErrNotFound
}

func (m mutant) UpdateCode(ctx context.Context, tenantID, id string, fn func(model.OneTimeCode) (model.OneTimeCode, error)) error {
	if m.mode != "racyupdate" {
		return m.Store.UpdateCode(ctx, tenantID, id, fn)
	}
	cur, err := m.Store.GetCode(ctx, tenantID, id)
	if err != nil {
		return err
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	time.Sleep(time.Millisecond)
	return m.Store.UpdateCode(ctx, tenantID, id, func(model.OneTimeCode) (model.OneTimeCode, error) { return next, nil })
}

func (m mutant) LeaseMessages(ctx context.Context, now, until time.Time, limit int) ([]model.OutboxMessage, error) {
	if m.mode == "leaknolease" {
		return m.Store.LeaseMessages(ctx, now, now, limit)
	}
	return m.Store.LeaseMessages(ctx, now, until, limit)
}

func (m mutant) GetTenant(ctx context.Context, id string) (model.Tenant, error) {
	tn, err := m.Store.GetTenant(ctx, id)
	if m.mode == "zone" {
		tn.CreatedAt = tn.CreatedAt.In(time.FixedZone("X", 3600))
	}
	if m.mode == "seconds" {
		tn.CreatedAt = tn.CreatedAt.Truncate(time.Second)
	}
	return tn, err
}

func (m mutant) LinkUser(ctx context.Context, l model.AppUser) error {
	if m.mode == "linkoverwrite" {
		_ = m.Store.UnlinkUser(ctx, l.TenantID, l.AppID, l.UserID)
	}
	return m.Store.LinkUser(ctx, l)
}

func (m mutant) DeleteClient(ctx context.Context, tenantID, id string) error {
	err := m.Store.DeleteClient(ctx, tenantID, id)
	if m.mode == "deletenil" && errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

func (m mutant) UpdateUser(ctx context.Context, tenantID, id string, fn func(model.User) (model.User, error)) error {
	err := m.Store.UpdateUser(ctx, tenantID, id, fn)
	if m.mode == "swallow" && err != nil {
		return nil
	}
	return err
}

func (m mutant) ListUsers(ctx context.Context, q model.UserQuery) ([]model.User, int, error) {
	if m.mode == "nooffset" {
		q.Offset = 0
	}
	return m.Store.ListUsers(ctx, q)
}

func (m mutant) SpendCodes(ctx context.Context, tenantID, appID, purpose, identifier string, now time.Time) (int64, error) {
	n, err := m.Store.SpendCodes(ctx, tenantID, appID, purpose, identifier, now)
	if m.mode == "spendcount" {
		n = 0
	}
	return n, err
}

func (m mutant) ListSessions(ctx context.Context, tenantID, userID string) ([]model.Session, error) {
	l, err := m.Store.ListSessions(ctx, tenantID, userID)
	if m.mode == "reverse" {
		slices.Reverse(l)
	}
	return l, err
}

func (m mutant) CreateUser(ctx context.Context, u model.User) error {
	err := m.Store.CreateUser(ctx, u)
	if m.mode == "plaindup" && errors.Is(err, storage.ErrAlreadyExists) {
		return storage.ErrAlreadyExists
	}
	return err
}

func TestMutant(t *testing.T) {
	mode := os.Getenv("MUTANT")
	if mode == "" {
		t.Skip()
	}
	ns := func(t *testing.T) storage.Store { return mutant{sqlstore.NewTestStore(t, false), mode} }
	storagetest.RunTests(t, ns)
	storagetest.RunConcurrencyTests(t, ns)
}

func (m mutant) Ping(ctx context.Context) error {
	if m.mode == "hang" {
		select {}
	}
	return m.Store.Ping(ctx)
}
