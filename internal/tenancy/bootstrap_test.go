package tenancy

import (
	"bytes"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func TestBootstrapCreatesEverything(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	has, err := f.svc.HasTenants(ctx)
	must(t, err, "has tenants")
	if has {
		t.Fatal("HasTenants of an empty store: got true")
	}

	b, err := f.svc.Bootstrap(ctx, "acme", false)
	must(t, err, "bootstrap")
	if !b.Created || b.TenantID == "" || b.AdminClientSecret == "" || b.ClientSecret == "" || b.AppID == "" {
		t.Fatalf("bootstrap result incomplete: %+v", b)
	}
	if has, _ = f.svc.HasTenants(ctx); !has {
		t.Error("HasTenants after bootstrap: got false")
	}
	tn, err := f.store.GetTenantByName(ctx, "acme")
	must(t, err, "get tenant")
	if tn.ID != b.TenantID || tn.SigningAlg != model.AlgRS256 {
		t.Errorf("tenant: got %+v, want id %s with RS256", tn, b.TenantID)
	}
	if n := f.keyring.count(); n != 1 {
		t.Errorf("EnsureDeploymentKeys calls: got %d, want 1", n)
	}

	adminClient, adminApp, err := f.svc.AuthenticateClient(ctx, b.AdminClientID, b.AdminClientSecret)
	must(t, err, "authenticate admin client")
	if adminApp.Kind != model.AppKindManagement || adminApp.Name != "Management" || adminClient.TenantID != b.TenantID {
		t.Errorf("admin client's application: got %+v", adminApp)
	}
	cl, app, err := f.svc.AuthenticateClient(ctx, b.ClientID, b.ClientSecret)
	must(t, err, "authenticate demo client")
	if app.ID != b.AppID || app.Kind != model.AppKindStandard || app.Name != "Demo" {
		t.Errorf("demo application: got %+v", app)
	}
	if len(cl.RedirectURIs) != 1 || cl.RedirectURIs[0] != "http://localhost:3000/callback" {
		t.Errorf("demo client redirect URIs: got %q", cl.RedirectURIs)
	}
}

func TestBootstrapIsIdempotent(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	first, err := f.svc.Bootstrap(ctx, "acme", false)
	must(t, err, "first bootstrap")
	again, err := f.svc.Bootstrap(ctx, "acme", false)
	must(t, err, "second bootstrap")
	want := first
	want.AdminClientSecret, want.ClientSecret, want.Created = "", "", false
	if again != want {
		t.Errorf("second bootstrap: got %+v, want %+v", again, want)
	}
	if _, _, err := f.svc.AuthenticateClient(ctx, first.ClientID, first.ClientSecret); err != nil {
		t.Errorf("first secret after a second bootstrap: %v", err)
	}
	apps, err := f.store.ListApplications(ctx, first.TenantID)
	must(t, err, "list applications")
	if len(apps) != 2 {
		t.Errorf("applications after two bootstraps: got %d, want 2", len(apps))
	}
	if n := f.keyring.count(); n != 2 {
		t.Errorf("EnsureDeploymentKeys calls: got %d, want one per bootstrap", n)
	}
}

func TestBootstrapRotatesSecrets(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	first, err := f.svc.Bootstrap(ctx, "acme", false)
	must(t, err, "first bootstrap")
	rotated, err := f.svc.Bootstrap(ctx, "acme", true)
	must(t, err, "rotating bootstrap")
	if rotated.Created || rotated.AdminClientID != first.AdminClientID || rotated.ClientID != first.ClientID {
		t.Fatalf("rotating bootstrap: got %+v, want the same ids as %+v", rotated, first)
	}
	if rotated.AdminClientSecret == "" || rotated.AdminClientSecret == first.AdminClientSecret ||
		rotated.ClientSecret == "" || rotated.ClientSecret == first.ClientSecret {
		t.Fatalf("rotating bootstrap did not issue new secrets: %+v", rotated)
	}
	for _, old := range [][2]string{{first.AdminClientID, first.AdminClientSecret}, {first.ClientID, first.ClientSecret}} {
		_, _, err := f.svc.AuthenticateClient(ctx, old[0], old[1])
		wantFault(t, err, fault.Unauthenticated, "invalid_client", "old secret after rotation")
	}
	for _, cur := range [][2]string{{rotated.AdminClientID, rotated.AdminClientSecret}, {rotated.ClientID, rotated.ClientSecret}} {
		cl, _, err := f.svc.AuthenticateClient(ctx, cur[0], cur[1])
		if err != nil {
			t.Errorf("new secret after rotation: %v", err)
		} else if cl.TokenEpoch != 1 {
			// Like any rotation, it ends the tokens issued with the old secret.
			t.Errorf("client %s at token epoch %d after one rotation", cl.ID, cl.TokenEpoch)
		}
	}
}

func TestBootstrapConcurrentCreatesOneTenant(t *testing.T) {
	testBootstrapConcurrent(t, newFixture(t))
}

// On PostgreSQL the losers of the race really do collide on the unique tenant name.
func TestBootstrapConcurrentCreatesOneTenantPostgres(t *testing.T) {
	testBootstrapConcurrent(t, newFixtureOn(t, true))
}

func testBootstrapConcurrent(t *testing.T, f *fixture) {
	const n = 6
	results := make([]Bootstrap, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = f.svc.Bootstrap(t.Context(), "race", false) })
	}
	wg.Wait()
	created := 0
	for i := range n {
		must(t, errs[i], "concurrent bootstrap")
		if results[i].TenantID != results[0].TenantID || results[i].ClientID != results[0].ClientID {
			t.Errorf("bootstrap %d: got tenant %s client %s, want %s %s", i,
				results[i].TenantID, results[i].ClientID, results[0].TenantID, results[0].ClientID)
		}
		if results[i].Created {
			created++
		}
	}
	if created != 1 {
		t.Errorf("bootstraps that created the tenant: got %d, want 1", created)
	}
	tenants, err := f.store.ListTenants(t.Context())
	must(t, err, "list tenants")
	if len(tenants) != 1 {
		t.Errorf("tenants after concurrent bootstraps: got %d, want 1", len(tenants))
	}
	apps, err := f.store.ListApplications(t.Context(), results[0].TenantID)
	must(t, err, "list applications")
	if len(apps) != 2 {
		t.Errorf("applications after concurrent bootstraps: got %d, want 2", len(apps))
	}
}

func TestBootstrapRecreatesWhatIsMissing(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	first, err := f.svc.Bootstrap(ctx, "acme", false)
	must(t, err, "bootstrap")
	must(t, f.store.DeleteApplication(ctx, first.TenantID, first.AppID), "delete demo application")
	again, err := f.svc.Bootstrap(ctx, "acme", false)
	must(t, err, "bootstrap again")
	if again.AppID == first.AppID || again.ClientSecret == "" || again.AdminClientSecret != "" {
		t.Fatalf("bootstrap after the demo app was deleted: got %+v", again)
	}
	if _, _, err := f.svc.AuthenticateClient(ctx, again.ClientID, again.ClientSecret); err != nil {
		t.Errorf("recreated demo client: %v", err)
	}
}

func TestBootstrapRejectsEmptyName(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Bootstrap(t.Context(), "  ", false)
	wantProblems(t, err, "blank tenant name", "tenant name is required")
}

func TestSecretsAreStoredHashed(t *testing.T) {
	f := newFixture(t)
	c, b := f.admin(t)
	_, issued, err := f.svc.CreateApplication(t.Context(), c, ApplicationInput{Name: ptr("Shop")})
	must(t, err, "create application")
	for _, pair := range [][2]string{{b.AdminClientID, b.AdminClientSecret}, {b.ClientID, b.ClientSecret}, {issued.Client.ID, issued.Secret}} {
		stored, err := f.store.GetClient(t.Context(), pair[0])
		must(t, err, "get client")
		if len(stored.SecretHash) == 0 || bytes.Contains(stored.SecretHash, []byte(pair[1])) {
			t.Errorf("client %s: stored hash %x holds the secret", pair[0], stored.SecretHash)
		}
		if !bytes.Equal(stored.SecretHash, f.keys.HashClientSecret(pair[1])) {
			t.Errorf("client %s: stored hash is not the keyed hash of the secret", pair[0])
		}
	}
	if bytes.Equal(issued.Client.SecretHash, []byte(issued.Secret)) {
		t.Error("returned client carries its secret as hash")
	}
}

func TestAuthenticateClientFailsAlike(t *testing.T) {
	f := newFixture(t)
	_, b := f.admin(t)
	_, _, errWrong := f.svc.AuthenticateClient(t.Context(), b.ClientID, b.ClientSecret+"x")
	_, _, errUnknown := f.svc.AuthenticateClient(t.Context(), model.NewID(), b.ClientSecret)
	_, _, errEmpty := f.svc.AuthenticateClient(t.Context(), b.ClientID, "")
	for what, err := range map[string]error{"wrong secret": errWrong, "unknown client": errUnknown, "empty secret": errEmpty} {
		wantFault(t, err, fault.Unauthenticated, "invalid_client", what)
	}
	if errWrong.Error() != errUnknown.Error() {
		t.Errorf("wrong secret and unknown client differ: %q vs %q", errWrong, errUnknown)
	}
	if _, err := f.svc.GetClient(t.Context(), model.NewID()); !fault.Is(err, fault.NotFound) {
		t.Errorf("GetClient of an unknown id: got %v, want NotFound", err)
	}
}
