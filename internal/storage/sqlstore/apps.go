package sqlstore

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
)

const appCols = "id, tenant_id, name, kind, description, redirect_uris, allow_public_signup, " +
	"enumeration_protection, preferences, logo, created_by, profile, created_at, updated_at"

func scanApp(sc scanner) (model.Application, error) {
	var a model.Application
	var redirects, prefs, profile string
	var created, updated int64
	err := sc.Scan(&a.ID, &a.TenantID, &a.Name, &a.Kind, &a.Description, &redirects,
		&a.AllowPublicSignup, &a.EnumerationProtection, &prefs, &a.Logo, &a.CreatedBy, &profile, &created, &updated)
	if err != nil {
		return a, err
	}
	if err := fromJSONText(redirects, &a.RedirectURIs); err != nil {
		return a, err
	}
	if err := fromJSONText(prefs, &a.Preferences); err != nil {
		return a, err
	}
	if err := fromJSONText(profile, &a.Profile); err != nil {
		return a, err
	}
	a.CreatedAt, a.UpdatedAt = fromMillis(created), fromMillis(updated)
	return a, nil
}

// appValues returns the columns of a written after its id and tenant id.
func appValues(a model.Application) ([]any, error) {
	redirects, err := jsonText(a.RedirectURIs)
	if err != nil {
		return nil, err
	}
	prefs, err := jsonText(a.Preferences)
	if err != nil {
		return nil, err
	}
	profile, err := jsonText(a.Profile)
	if err != nil {
		return nil, err
	}
	return []any{a.Name, a.Kind, a.Description, redirects, a.AllowPublicSignup,
		a.EnumerationProtection, prefs, a.Logo, a.CreatedBy, profile, millis(a.CreatedAt), millis(a.UpdatedAt)}, nil
}

// CreateApplication stores a new application.
func (s *Store) CreateApplication(ctx context.Context, a model.Application) error {
	vals, err := appValues(a)
	if err != nil {
		return errf("create application", err)
	}
	_, err = s.execUnique(ctx, "create application",
		"INSERT INTO applications ("+appCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		append([]any{a.ID, a.TenantID}, vals...)...)
	return err
}

// GetApplication returns one of the tenant's applications.
func (s *Store) GetApplication(ctx context.Context, tenantID, id string) (model.Application, error) {
	return getOwned(ctx, s.reader(), "get application", scanApp, func(v model.Application) string { return v.TenantID },
		"SELECT "+appCols+" FROM applications WHERE id = ?", tenantID, id)
}

// ListApplications returns the tenant's applications, oldest first.
func (s *Store) ListApplications(ctx context.Context, tenantID string) ([]model.Application, error) {
	return getAll(ctx, s.reader(), "list applications", scanApp,
		"SELECT "+appCols+" FROM applications WHERE tenant_id = ? ORDER BY created_at, rowid", tenantID)
}

// UpdateApplication applies updater to the application atomically; its ids cannot change.
func (s *Store) UpdateApplication(ctx context.Context, tenantID, id string, updater func(model.Application) (model.Application, error)) error {
	load := func(tx *Store) (model.Application, error) {
		return getOne(ctx, tx.writer(), "update application", scanApp,
			"SELECT "+appCols+" FROM applications WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, a model.Application) error {
		vals, err := appValues(a)
		if err != nil {
			return errf("update application", err)
		}
		_, err = tx.execUnique(ctx, "update application",
			"UPDATE applications SET name = ?, kind = ?, description = ?, redirect_uris = ?, "+
				"allow_public_signup = ?, enumeration_protection = ?, preferences = ?, logo = ?, created_by = ?, "+
				"profile = ?, created_at = ?, "+
				"updated_at = ? WHERE tenant_id = ? AND id = ?",
			append(vals, old.TenantID, old.ID)...)
		return err
	}
	return update(ctx, s, load, updater, store)
}

// DeleteApplication deletes the application with its clients and user links.
func (s *Store) DeleteApplication(ctx context.Context, tenantID, id string) error {
	return s.inOwnTx(ctx, func(tx *Store) error {
		w := tx.writer()
		n, err := w.execAffected(ctx, "DELETE FROM applications WHERE tenant_id = ? AND id = ?", tenantID, id)
		if err := mustAffect("delete application", n, err); err != nil {
			return err
		}
		if _, err := w.exec(ctx, "DELETE FROM clients WHERE tenant_id = ? AND app_id = ?", tenantID, id); err != nil {
			return errf("delete application clients", err)
		}
		if _, err := w.exec(ctx, "DELETE FROM app_users WHERE tenant_id = ? AND app_id = ?", tenantID, id); err != nil {
			return errf("delete application users", err)
		}
		return nil
	})
}
