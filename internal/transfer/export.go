package transfer

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/sealing"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// exportPage is how many users an export reads at a time.
const exportPage = 200

// Export writes every user of a tenant to w, one Record per line, oldest user first, and
// returns how many it wrote. keys must be the master key the tenant's values are sealed under:
// TOTP keys are opened with it.
//
// Users are read a page at a time, not in one snapshot: a user created while an export runs
// may be missed, and one deleted may be missed or written. Export from a quiet deployment, or
// from a backup copy, when that matters.
func Export(ctx context.Context, st storage.Store, keys *secret.Keys, tenantID string, w io.Writer) (int, error) {
	apps, err := st.ListApplications(ctx, tenantID)
	if err != nil {
		return 0, fmt.Errorf("list applications: %w", err)
	}
	appNames := make(map[string]string, len(apps))
	for _, a := range apps {
		appNames[a.ID] = a.Name
	}
	keyCheck := RecoveryKeyCheck(keys)
	out := bufio.NewWriter(w)
	enc := json.NewEncoder(out)
	n := 0
	for offset := 0; ; offset += exportPage {
		users, _, err := st.ListUsers(ctx, model.UserQuery{TenantID: tenantID, Offset: offset, Limit: exportPage})
		if err != nil {
			return n, fmt.Errorf("list users: %w", err)
		}
		if len(users) == 0 {
			break
		}
		links, err := pageLinks(ctx, st, tenantID, apps, users)
		if err != nil {
			return n, err
		}
		for _, u := range users {
			rec, err := exportUser(ctx, st, keys, u, links[u.ID], appNames)
			if err != nil {
				return n, fmt.Errorf("user %s: %w", u.ID, err)
			}
			if rec.hasRecoveryCodes() {
				rec.RecoveryKeyCheck = keyCheck
			}
			if err := enc.Encode(rec); err != nil {
				return n, fmt.Errorf("write: %w", err)
			}
			n++
		}
		if len(users) < exportPage {
			break
		}
	}
	if err := out.Flush(); err != nil {
		return n, fmt.Errorf("write: %w", err)
	}
	return n, nil
}

// pageLinks reads the application links of a page of users, one batched read per application.
func pageLinks(ctx context.Context, st storage.Store, tenantID string, apps []model.Application, users []model.User) (map[string][]AppLink, error) {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	out := map[string][]AppLink{}
	for _, a := range apps {
		links, err := st.ListAppUsers(ctx, tenantID, a.ID, ids)
		if err != nil {
			return nil, fmt.Errorf("list links to %s: %w", a.Name, err)
		}
		for _, l := range links {
			out[l.UserID] = append(out[l.UserID], AppLink{
				AppID: a.ID, AppName: a.Name, CustomAppData: l.CustomAppData, CreatedAt: l.CreatedAt, Adopted: l.Adopted,
				ExternalAccountID: l.ExternalAccountID,
			})
		}
	}
	return out, nil
}

func exportUser(ctx context.Context, st storage.Store, keys *secret.Keys, u model.User, links []AppLink, appNames map[string]string) (Record, error) {
	rec := Record{Format: Format, User: fromUser(u), Applications: links}
	creds, err := st.ListCredentials(ctx, u.TenantID, u.ID, "")
	if err != nil {
		return rec, fmt.Errorf("list credentials: %w", err)
	}
	for _, c := range creds {
		out := Credential{
			ID: c.ID, Type: c.Type, LookupKey: c.LookupKey, Name: c.Name, Data: c.Data,
			CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, LastUsedAt: c.LastUsedAt,
			AppID: c.AppID, AppName: appNames[c.AppID], RPID: c.RPID,
		}
		if c.Type == model.CredentialTOTP {
			plain, err := keys.Open(c.Secret, sealing.TOTPAD(c.TenantID, c.ID))
			if err != nil {
				return rec, fmt.Errorf("open TOTP key %s (is this the deployment's master key?): %w", c.ID, err)
			}
			out.TOTPSecret = string(plain)
		} else {
			out.Secret = c.Secret
		}
		rec.Credentials = append(rec.Credentials, out)
	}
	return rec, nil
}

func (r Record) hasRecoveryCodes() bool {
	for _, c := range r.Credentials {
		if c.Type == model.CredentialRecovery {
			return true
		}
	}
	return false
}
