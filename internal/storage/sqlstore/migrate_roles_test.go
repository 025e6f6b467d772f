package sqlstore

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

// TestUpgradeGivesExistingClientsTheDefaultRole writes clients of an ordinary and of a
// management application as the schema before client roles holds them, migrates, and checks
// that the ordinary application's client holds the default role (what every client could call
// before roles existed) and the management application's none (its token is the admin token).
func TestUpgradeGivesExistingClientsTheDefaultRole(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		ctx := testContext(t)
		all, err := migrations(postgres)
		mustDo(t, err, "migrations")
		cut := slices.IndexFunc(all, func(m migration) bool { return strings.HasSuffix(m.name, "_client_roles.sql") })
		if cut < 0 {
			t.Fatal("no client roles migration; move this test's cut")
		}
		s := storeAtSchema(t, postgres, cut) // every migration before client roles
		w := s.writer()
		tenantID := model.NewID()
		clients := map[string]string{model.AppKindStandard: model.NewID(), model.AppKindManagement: model.NewID()}
		for kind, clientID := range clients {
			appID := model.NewID()
			_, err := w.exec(ctx, "INSERT INTO applications (id, tenant_id, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
				appID, tenantID, kind, kind, millis(testNow), millis(testNow))
			mustDo(t, err, "insert an application")
			_, err = w.exec(ctx, "INSERT INTO clients (id, tenant_id, app_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
				clientID, tenantID, appID, kind, millis(testNow), millis(testNow))
			mustDo(t, err, "insert a client")
		}
		mustDo(t, s.Migrate(ctx), "migrate to the latest schema")
		want := map[string][]string{model.AppKindStandard: {"application"}, model.AppKindManagement: {}}
		for kind, clientID := range clients {
			got, err := s.GetClient(ctx, clientID)
			mustDo(t, err, "get the old client")
			if !reflect.DeepEqual(got.RoleIDs, want[kind]) {
				t.Errorf("%s application's client after the upgrade holds %q, want %q", kind, got.RoleIDs, want[kind])
			}
		}
	})
}
