package cache

import (
	"context"
	"errors"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/storage/storagetest"
)

// The cached store must be a storage.Store like any other.
func TestConformanceSQLite(t *testing.T) {
	wrap := func(t *testing.T) storage.Store { return New(sqlstore.NewTestStore(t, false), time.Minute) }
	storagetest.RunTests(t, wrap)
	storagetest.RunConcurrencyTests(t, wrap)
}

func TestConformancePostgres(t *testing.T) {
	if os.Getenv(sqlstore.PostgresDSNEnv) == "" {
		t.Skip("set " + sqlstore.PostgresDSNEnv + " to run the PostgreSQL tests")
	}
	wrap := func(t *testing.T) storage.Store { return New(sqlstore.NewTestStore(t, true), time.Minute) }
	storagetest.RunTests(t, wrap)
	storagetest.RunConcurrencyTests(t, wrap)
}

// clock is a settable time for TTL tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	inner  *sqlstore.Store
	cached *Store
	clk    *clock
	tenant model.Tenant
	app    model.Application
	client model.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{inner: sqlstore.NewTestStore(t, false), clk: &clock{t: time.Now()}}
	f.cached = newStore(f.inner, 5*time.Second, f.clk.now)
	now := time.Now().UTC().Truncate(time.Millisecond)
	f.tenant = model.Tenant{ID: model.NewID(), Name: "t-" + model.NewID(), SigningAlg: model.AlgES256, CreatedAt: now}
	f.app = model.Application{ID: model.NewID(), TenantID: f.tenant.ID, Name: "app", Kind: model.AppKindStandard,
		RedirectURIs: []string{"https://a.example/cb"}, CreatedAt: now, UpdatedAt: now}
	f.client = model.Client{ID: model.NewID(), TenantID: f.tenant.ID, AppID: f.app.ID, Name: "c",
		SecretHash: []byte{1, 2, 3}, RedirectURIs: []string{"https://a.example/cb"}, CreatedAt: now, UpdatedAt: now}
	must(t, f.inner.CreateTenant(ctx, f.tenant))
	must(t, f.inner.CreateApplication(ctx, f.app))
	must(t, f.inner.CreateClient(ctx, f.client))
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// statements counts the SQL statements fn sends to the database.
func (f *fixture) statements(fn func()) int64 {
	before, _ := f.inner.Stats()
	fn()
	after, _ := f.inner.Stats()
	return after - before
}

func TestRepeatedReadsSendNoStatements(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	read := func() {
		_, err1 := f.cached.GetTenant(ctx, f.tenant.ID)
		_, err2 := f.cached.GetApplication(ctx, f.tenant.ID, f.app.ID)
		_, err3 := f.cached.GetClient(ctx, f.client.ID)
		must(t, errors.Join(err1, err2, err3))
	}
	if n := f.statements(read); n != 3 {
		t.Fatalf("first reads sent %d statements, want 3", n)
	}
	if n := f.statements(read); n != 0 {
		t.Fatalf("repeated reads sent %d statements, want 0", n)
	}
	// Inside a transaction that has written nothing cached, reads use the copy too.
	must(t, f.cached.InTx(ctx, func(tx storage.Store) error {
		if n := f.statements(func() { _, _ = tx.GetClient(ctx, f.client.ID) }); n != 0 {
			t.Errorf("read in a transaction sent %d statements, want 0", n)
		}
		return nil
	}))
}

func TestWritesThroughTheNodeAreSeenAtOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, _ = f.cached.GetClient(ctx, f.client.ID)
	_, _ = f.cached.GetApplication(ctx, f.tenant.ID, f.app.ID)
	must(t, f.cached.UpdateClient(ctx, f.tenant.ID, f.client.ID, func(c model.Client) (model.Client, error) {
		c.Name = "renamed"
		return c, nil
	}))
	if c, err := f.cached.GetClient(ctx, f.client.ID); err != nil || c.Name != "renamed" {
		t.Fatalf("after update: %q, %v; want renamed", c.Name, err)
	}
	must(t, f.cached.DeleteApplication(ctx, f.tenant.ID, f.app.ID))
	if _, err := f.cached.GetClient(ctx, f.client.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("client of a deleted application: %v, want not found", err)
	}
	if _, err := f.cached.GetApplication(ctx, f.tenant.ID, f.app.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("deleted application: %v, want not found", err)
	}
}

func TestWritesElsewhereAreSeenAfterTheTTL(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, _ = f.cached.GetTenant(ctx, f.tenant.ID)
	// Another node changes the tenant: this node keeps its copy until the TTL ends.
	must(t, f.inner.UpdateTenant(ctx, f.tenant.ID, func(x model.Tenant) (model.Tenant, error) {
		x.WebhookURL = "https://hooks.example/"
		return x, nil
	}))
	if x, _ := f.cached.GetTenant(ctx, f.tenant.ID); x.WebhookURL != "" {
		t.Fatalf("copy changed before the TTL: %q", x.WebhookURL)
	}
	// A caller that asks for the database gets it, before the TTL too.
	if x, _ := f.cached.GetTenant(storage.Fresh(ctx), f.tenant.ID); x.WebhookURL != "https://hooks.example/" {
		t.Fatalf("fresh read: webhook %q, want the new one", x.WebhookURL)
	}
	f.clk.add(5 * time.Second)
	if x, _ := f.cached.GetTenant(ctx, f.tenant.ID); x.WebhookURL != "https://hooks.example/" {
		t.Fatalf("after the TTL: webhook %q, want the new one", x.WebhookURL)
	}
}

func TestRolledBackWriteLeavesNoTrace(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := f.cached.InTx(ctx, func(tx storage.Store) error {
		must(t, tx.UpdateApplication(ctx, f.tenant.ID, f.app.ID, func(a model.Application) (model.Application, error) {
			a.Name = "uncommitted"
			return a, nil
		}))
		// The transaction sees its own write, and must not publish it to the copy.
		a, err := tx.GetApplication(ctx, f.tenant.ID, f.app.ID)
		if err != nil || a.Name != "uncommitted" {
			t.Errorf("in the transaction: %q, %v", a.Name, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx: %v, want boom", err)
	}
	if a, _ := f.cached.GetApplication(ctx, f.tenant.ID, f.app.ID); a.Name != "app" {
		t.Fatalf("after rollback: %q, want app", a.Name)
	}
}

// A read that started before a write must not store the record it read.
func TestReadRacingAWriteIsNotKept(t *testing.T) {
	f := newFixture(t)
	m := func() map[string]entry[model.Client] { return f.cached.r.clients }
	_, ok, gen := lookup(f.cached.r, m, f.client.ID)
	if ok {
		t.Fatal("empty copy answered")
	}
	f.cached.wrote()
	keep(f.cached.r, m, f.client.ID, f.client, gen)
	if _, ok, _ := lookup(f.cached.r, m, f.client.ID); ok {
		t.Fatal("a read older than a write was kept")
	}
}

// Callers get copies: changing what one request got must not change what the next one reads.
// The check walks every slice and pointer of the records, so a field added later is covered.
func TestCopiesShareNoMemory(t *testing.T) {
	var a model.Application
	fill(reflect.ValueOf(&a).Elem())
	if p := shared(reflect.ValueOf(a), reflect.ValueOf(cloneApp(a)), "Application"); p != "" {
		t.Errorf("cloneApp shares %s", p)
	}
	var c model.Client
	fill(reflect.ValueOf(&c).Elem())
	if p := shared(reflect.ValueOf(c), reflect.ValueOf(cloneClient(c)), "Client"); p != "" {
		t.Errorf("cloneClient shares %s", p)
	}
	var x model.Tenant
	fill(reflect.ValueOf(&x).Elem())
	if p := shared(reflect.ValueOf(x), reflect.ValueOf(cloneTenant(x)), "Tenant"); p != "" {
		t.Errorf("cloneTenant shares %s", p)
	}
}

// fill gives every slice one element and every pointer a target, recursively.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
	}
}

// shared returns the path of the first slice, pointer or map that a and b share.
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), path+"[i]"); p != "" {
				return p
			}
		}
	case reflect.Pointer, reflect.Map:
		if !a.IsNil() && a.Pointer() == b.Pointer() {
			return path
		}
		if a.Kind() == reflect.Pointer && !a.IsNil() {
			return shared(a.Elem(), b.Elem(), path+"*")
		}
	}
	return ""
}
