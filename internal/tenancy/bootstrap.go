package tenancy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Bootstrap is what a first run creates: a tenant, a management application with an admin
// client, and a standard application with a backend client. Secrets are set only when they
// were just issued.
type Bootstrap struct {
	TenantID          string `json:"tenant_id"`
	AdminClientID     string `json:"admin_client_id"`
	AdminClientSecret string `json:"admin_client_secret"`
	AppID             string `json:"app_id"`
	ClientID          string `json:"client_id"`
	ClientSecret      string `json:"client_secret"`
	Created           bool   `json:"created"`
}

// seed describes one of the applications Bootstrap makes sure of.
type seed struct {
	kind, appName, clientName string
	redirectURIs              []string
}

var (
	managementSeed = seed{kind: model.AppKindManagement, appName: "Management", clientName: "Admin", redirectURIs: []string{}}
	demoSeed       = seed{kind: model.AppKindStandard, appName: "Demo", clientName: "Backend",
		redirectURIs: []string{"http://localhost:3000/callback"}}
)

// Bootstrap makes sure the tenant named tenantName exists with a management application and a
// standard application, each with a client, and that the deployment has the signing keys
// the tenant's tokens are signed with.
//
// The first call creates them all in one transaction and returns both clients' secrets. Later
// calls find the tenant's oldest management and standard applications and their oldest
// clients and return their ids with empty secrets, unless rotateSecrets is set, in which case
// those two clients get new secrets. Anything missing (an application deleted since, say) is
// created again, with its secret returned. Concurrent calls for one name create one tenant:
// the loser's insert fails on the unique name and it retries, finding the winner's tenant.
func (s *Service) Bootstrap(ctx context.Context, tenantName string, rotateSecrets bool) (Bootstrap, error) {
	var p problems
	name := p.text("tenant name", tenantName, maxNameLen, true)
	if len(p) > 0 {
		return Bootstrap{}, fault.Validation(p...)
	}
	var out Bootstrap
	var err error
	for range 3 {
		out, err = s.bootstrapOnce(ctx, name, rotateSecrets)
		if !errors.Is(err, storage.ErrAlreadyExists) {
			break
		}
	}
	if err != nil {
		return Bootstrap{}, storeErr(err, nil, "bootstrap tenant")
	}
	if err := s.keyring.EnsureDeploymentKeys(ctx); err != nil {
		return Bootstrap{}, storeErr(err, nil, "ensure signing keys")
	}
	return out, nil
}

func (s *Service) bootstrapOnce(ctx context.Context, name string, rotate bool) (Bootstrap, error) {
	var out Bootstrap
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		out = Bootstrap{}
		now := s.timestamp()
		t, err := tx.GetTenantByName(ctx, name)
		if errors.Is(err, storage.ErrNotFound) {
			t = model.Tenant{ID: model.NewID(), Name: name, SigningAlg: model.AlgRS256, CreatedAt: now}
			if err := tx.CreateTenant(ctx, t); err != nil {
				return fmt.Errorf("create tenant: %w", err)
			}
			out.Created = true
		} else if err != nil {
			return fmt.Errorf("get tenant: %w", err)
		}
		out.TenantID = t.ID
		if _, out.AdminClientID, out.AdminClientSecret, err = s.ensureSeed(ctx, tx, t.ID, managementSeed, rotate, now); err != nil {
			return err
		}
		out.AppID, out.ClientID, out.ClientSecret, err = s.ensureSeed(ctx, tx, t.ID, demoSeed, rotate, now)
		return err
	})
	return out, err
}

// ensureSeed finds or creates the seed's application and client, and returns their ids and
// the client's secret when it was issued now.
func (s *Service) ensureSeed(ctx context.Context, tx storage.Store, tenantID string, sd seed, rotate bool, now time.Time) (appID, clientID, sec string, err error) {
	apps, err := tx.ListApplications(ctx, tenantID)
	if err != nil {
		return "", "", "", fmt.Errorf("list applications: %w", err)
	}
	sortApps(apps)
	i := slices.IndexFunc(apps, func(a model.Application) bool { return a.Kind == sd.kind })
	if i < 0 {
		app := model.Application{ID: model.NewID(), TenantID: tenantID, Name: sd.appName, Kind: sd.kind,
			RedirectURIs: sd.redirectURIs, CreatedBy: CreatedByBootstrap, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateApplication(ctx, app); err != nil {
			return "", "", "", fmt.Errorf("create application: %w", err)
		}
		apps, i = append(apps, app), len(apps)
	}
	app := apps[i]
	clients, err := tx.ListClients(ctx, tenantID, app.ID)
	if err != nil {
		return "", "", "", fmt.Errorf("list clients: %w", err)
	}
	sortClients(clients)
	if len(clients) == 0 {
		issued := s.newClient(app, sd.clientName, now)
		if err := tx.CreateClient(ctx, issued.Client); err != nil {
			return "", "", "", fmt.Errorf("create client: %w", err)
		}
		return app.ID, issued.Client.ID, issued.Secret, nil
	}
	cl := clients[0]
	if !rotate {
		return app.ID, cl.ID, "", nil
	}
	sec, hash := s.newSecret()
	err = tx.UpdateClient(ctx, tenantID, cl.ID, func(cur model.Client) (model.Client, error) {
		rekey(&cur, hash)
		cur.UpdatedAt = now
		return cur, nil
	})
	if err != nil {
		return "", "", "", fmt.Errorf("rotate client secret: %w", err)
	}
	return app.ID, cl.ID, sec, nil
}

// HasTenants reports whether any tenant exists, which tells a first run from later ones.
func (s *Service) HasTenants(ctx context.Context) (bool, error) {
	list, err := s.store.ListTenants(ctx)
	if err != nil {
		return false, fault.Wrap(err, "list tenants")
	}
	return len(list) > 0, nil
}
