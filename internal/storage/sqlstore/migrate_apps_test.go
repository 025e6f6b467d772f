package sqlstore

import (
	"reflect"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

// TestUpgradeGivesSchemaNineRowsMosaicDefaults writes an application, a client, a resource and
// a signing key as a schema-9 database holds them, migrates, and checks that they read back
// with schema 13's fields at their defaults: a resource updated when it was created, no logo,
// profile, client type, family end or key name.
func TestUpgradeGivesSchemaNineRowsMosaicDefaults(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		ctx := testContext(t)
		s := storeAtSchema(t, postgres, 9)
		w := s.writer()
		tenantID := model.NewID()
		app := model.Application{ID: model.NewID(), TenantID: tenantID, Name: "old", Kind: model.AppKindStandard,
			RedirectURIs: []string{"https://old.example/cb"}, CreatedAt: testNow, UpdatedAt: testNow}
		_, err := w.exec(ctx, "INSERT INTO applications (id, tenant_id, name, kind, redirect_uris, created_at, updated_at) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?)", app.ID, tenantID, app.Name, app.Kind, `["https://old.example/cb"]`, millis(testNow), millis(testNow))
		mustDo(t, err, "insert a schema-9 application")
		res := model.Resource{ID: model.NewID(), TenantID: tenantID, URI: "https://api.old.example", AccessTokenTTL: 600,
			CreatedAt: testNow, UpdatedAt: testNow}
		_, err = w.exec(ctx, "INSERT INTO resources (id, tenant_id, uri, access_token_ttl, created_at) VALUES (?, ?, ?, ?, ?)",
			res.ID, tenantID, res.URI, res.AccessTokenTTL, millis(testNow))
		mustDo(t, err, "insert a schema-9 resource")
		key := model.SigningKey{ID: model.NewID(), TenantID: tenantID, Algorithm: model.AlgRS256, Status: model.KeySigning,
			PublicJWK: []byte(`{}`), PrivateEnc: []byte{1}, CreatedAt: testNow, UpdatedAt: testNow}
		_, err = w.exec(ctx, "INSERT INTO signing_keys (id, tenant_id, algorithm, status, public_jwk, private_enc, created_at, updated_at) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?)", key.ID, tenantID, key.Algorithm, key.Status, key.PublicJWK, key.PrivateEnc, millis(testNow), millis(testNow))
		mustDo(t, err, "insert a schema-9 signing key")

		mustDo(t, s.Migrate(ctx), "migrate to the latest schema")
		gotApp, err := s.GetApplication(ctx, tenantID, app.ID)
		mustDo(t, err, "get the old application")
		if gotApp.Logo != "" || gotApp.CreatedBy != "" || !reflect.DeepEqual(gotApp.Profile, model.AppProfile{}) ||
			gotApp.Name != "old" || !reflect.DeepEqual(gotApp.RedirectURIs, app.RedirectURIs) || gotApp.Preferences.Unimplemented != nil {
			t.Errorf("old application after the upgrade = %+v", gotApp)
		}
		gotRes, err := s.GetResource(ctx, tenantID, res.ID)
		mustDo(t, err, "get the old resource")
		if !reflect.DeepEqual(gotRes, res) {
			t.Errorf("old resource after the upgrade = %+v, want %+v (updated when created)", gotRes, res)
		}
		keys, err := s.ListSigningKeys(ctx, tenantID)
		mustDo(t, err, "list the old keys")
		if len(keys) != 1 || keys[0].Name != "" || keys[0].Uploaded {
			t.Errorf("old key after the upgrade = %+v", keys)
		}
	})
}
