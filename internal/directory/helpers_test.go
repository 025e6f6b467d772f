package directory

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// fixedNow is the tests' clock. It carries milliseconds, which the store keeps.
var fixedNow = time.Date(2030, time.May, 6, 7, 8, 9, 123_000_000, time.UTC)

// env is a store with two tenants. Tenant one has applications A and B; each tenant has a
// management application. Callers are named for who they are.
type env struct {
	store   storage.Store
	svc     *Service
	tenant  string
	admin   model.Caller // tenant one's management client
	clientA model.Caller // application A of tenant one
	clientB model.Caller // application B of tenant one
	other   model.Caller // management client of tenant two
}

// backends runs fn on SQLite, and on PostgreSQL when LATCHKEY_TEST_POSTGRES_DSN is set.
func backends(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			fn(t, newEnv(t, sqlstore.NewTestStore(t, pg)))
		})
	}
}

func newEnv(t *testing.T, st storage.Store) *env {
	t.Helper()
	e := &env{store: st, svc: New(st, Options{Now: func() time.Time { return fixedNow }})}
	t1 := newTenant(t, st)
	e.tenant = t1
	e.admin = model.Caller{TenantID: t1, AppID: newApp(t, st, t1, model.AppKindManagement), ClientID: model.NewID(), Admin: true}
	e.clientA = model.Caller{TenantID: t1, AppID: newApp(t, st, t1, model.AppKindStandard), ClientID: model.NewID()}
	e.clientB = model.Caller{TenantID: t1, AppID: newApp(t, st, t1, model.AppKindStandard), ClientID: model.NewID()}
	t2 := newTenant(t, st)
	e.other = model.Caller{TenantID: t2, AppID: newApp(t, st, t2, model.AppKindManagement), ClientID: model.NewID(), Admin: true}
	return e
}

func newTenant(t *testing.T, st storage.Store) string {
	t.Helper()
	tn := model.Tenant{ID: model.NewID(), Name: "tenant-" + model.NewID(), SigningAlg: model.AlgES256, CreatedAt: fixedNow}
	if err := st.CreateTenant(t.Context(), tn); err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	return tn.ID
}

func newApp(t *testing.T, st storage.Store, tenantID, kind string) string {
	t.Helper()
	a := model.Application{ID: model.NewID(), TenantID: tenantID, Name: "app-" + model.NewID(), Kind: kind,
		CreatedAt: fixedNow, UpdatedAt: fixedNow}
	if err := st.CreateApplication(t.Context(), a); err != nil {
		t.Fatalf("create application: %v", err)
	}
	return a.ID
}

// create makes a user as c, failing the test on error.
func (e *env) create(t *testing.T, c model.Caller, in CreateInput) User {
	t.Helper()
	u, err := e.svc.Create(t.Context(), c, in)
	if err != nil {
		t.Fatalf("create user %+v: %v", in, err)
	}
	return u
}

// wantFault checks that err is a fault of kind k with code.
func wantFault(t *testing.T, err error, k fault.Kind, code, what string) *fault.Error {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) {
		t.Fatalf("%s: got %v, want a %s fault", what, err, k)
	}
	if fe.Kind != k || fe.Code != code {
		t.Fatalf("%s: got %s/%s (%q), want %s/%s", what, fe.Kind, fe.Code, fe.Message, k, code)
	}
	return fe
}

func wantNotFound(t *testing.T, err error, what string) {
	t.Helper()
	wantFault(t, err, fault.NotFound, fault.CodeUserNotFound, what)
}

// wantProblems checks that err is a validation error naming each of the fragments, one
// problem each, and no other problem.
func wantProblems(t *testing.T, err error, what string, fragments ...string) {
	t.Helper()
	fe := wantFault(t, err, fault.Invalid, fault.CodeInvalidInput, what)
	if len(fe.Details) != len(fragments) {
		t.Errorf("%s: got %d problems %q, want %d", what, len(fe.Details), fe.Details, len(fragments))
	}
	for _, f := range fragments {
		found := false
		for _, d := range fe.Details {
			found = found || strings.Contains(d, f)
		}
		if !found {
			t.Errorf("%s: no problem mentions %q in %q", what, f, fe.Details)
		}
	}
}

func ptr[T any](v T) *T { return &v }
