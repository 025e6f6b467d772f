package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// tenantState is everything of a tenant that an API call could change, read from the store.
type tenantState struct {
	Tenant    model.Tenant
	Apps      []model.Application
	Clients   []model.Client
	Resources []model.Resource
	Keys      []string
	Users     []model.User
	Links     []model.AppUser
	Sessions  []model.Session
	Codes     []model.OneTimeCode
	Lockouts  []model.Lockout
	Outbox    []string // message ids only: delivery changes the rest
}

// state reads the stored state of the tenant of r as indented JSON, for comparison. Codes and
// lockouts are read for every identifier of the tenant's users and for r's identifiers.
func (e *env) state(r *tenantRecords) string {
	e.t.Helper()
	ctx := context.Background()
	must := func(err error) {
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			e.t.Fatalf("read state of tenant %s: %v", r.TenantID, err)
		}
	}
	var s tenantState
	var err error
	s.Tenant, err = e.store.GetTenant(ctx, r.TenantID)
	must(err)
	s.Apps, err = e.store.ListApplications(ctx, r.TenantID)
	must(err)
	slices.SortFunc(s.Apps, func(x, y model.Application) int { return strings.Compare(x.ID, y.ID) })
	s.Resources, err = e.store.ListResources(ctx, r.TenantID)
	must(err)
	slices.SortFunc(s.Resources, func(x, y model.Resource) int { return strings.Compare(x.ID, y.ID) })
	keys, err := e.store.ListSigningKeys(ctx, r.TenantID)
	must(err)
	for _, k := range keys {
		s.Keys = append(s.Keys, k.ID+":"+k.Status)
	}
	s.Users, _, err = e.store.ListUsers(ctx, model.UserQuery{TenantID: r.TenantID, Limit: 1000})
	must(err)
	identifiers := []string{"email:" + r.Email, "phone_number:" + r.Phone, "username:" + r.Username, "user_id:" + r.UserID}
	for _, u := range s.Users {
		identifiers = append(identifiers, "email:"+u.Email, "phone_number:"+u.PhoneNumber, "username:"+u.Username, "user_id:"+u.ID)
		sessions, err := e.store.ListSessions(ctx, r.TenantID, u.ID)
		must(err)
		s.Sessions = append(s.Sessions, sessions...)
	}
	for _, app := range s.Apps {
		clients, err := e.store.ListClients(ctx, r.TenantID, app.ID)
		must(err)
		s.Clients = append(s.Clients, clients...)
		for _, u := range s.Users {
			if l, err := e.store.GetAppUser(ctx, r.TenantID, app.ID, u.ID); err == nil {
				s.Links = append(s.Links, l)
			} else {
				must(err)
			}
		}
		for _, id := range identifiers {
			for _, purpose := range []string{model.PurposeOTP, model.PurposeMagicLink} {
				if c, err := e.store.LatestCode(ctx, r.TenantID, app.ID, purpose, id); err == nil {
					s.Codes = append(s.Codes, c)
				} else {
					must(err)
				}
			}
			if l, err := e.store.GetLockout(ctx, r.TenantID, app.ID, "otp:"+id); err == nil {
				s.Lockouts = append(s.Lockouts, l)
			} else {
				must(err)
			}
		}
	}
	slices.SortFunc(s.Clients, func(x, y model.Client) int { return strings.Compare(x.ID, y.ID) })
	msgs, err := e.store.ListMessages(ctx, r.TenantID, time.Time{}, 10000)
	must(err)
	for _, m := range msgs {
		s.Outbox = append(s.Outbox, m.ID)
	}
	out, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		e.t.Fatal(err)
	}
	return string(out)
}

// diffLines lists the lines found in only one of two texts, for a readable failure.
func diffLines(before, after string) string {
	count := map[string]int{}
	for _, l := range strings.Split(before, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(after, "\n") {
		count[l]--
	}
	var b strings.Builder
	for _, l := range strings.Split(before, "\n") {
		if count[l] > 0 {
			b.WriteString("- " + strings.TrimSpace(l) + "\n")
		}
	}
	for _, l := range strings.Split(after, "\n") {
		if count[l] < 0 {
			b.WriteString("+ " + strings.TrimSpace(l) + "\n")
		}
	}
	return b.String()
}
