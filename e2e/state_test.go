package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// tenantState is everything of a tenant that an API call could change, read from the store.
type tenantState struct {
	Tenant      model.Tenant // with its audit webhook's URL and sealed secret
	Apps        []model.Application
	Clients     []model.Client
	Resources   []model.Resource
	Keys        []string
	Users       []model.User
	Links       []model.AppUser
	Sessions    []model.Session
	Credentials []model.Credential // passwords, TOTP, recovery codes and passkeys
	Codes       []model.OneTimeCode
	Tickets     []model.CrossDeviceTicket // cross-device flows, by the tickets in r.Tickets
	Lockouts    []model.Lockout
	AuditEvents int      // events are only ever appended, so the count shows any new one
	Outbox      []string // message ids only: delivery changes the rest
	// Organizations with their memberships and the members' roles.
	Orgs        []model.Organization
	Members     []model.Member
	MemberRoles []model.MemberRole
	// RefreshToken is what the tenant's own client learns by introspecting the tenant's
	// refresh token: the store can find a refresh token only by its keyed hash, so its
	// state is read by behaviour. A rotated or revoked token is inactive.
	RefreshToken map[string]any `json:",omitempty"`
}

// codePurposes are the purposes of the codes read for each identifier.
var codePurposes = []string{model.PurposeOTP, model.PurposeMagicLink, model.PurposePasswordReset}

// lockoutKinds prefix the lockout keys of each identifier: OTP, TOTP, recovery code and
// password failures.
var lockoutKinds = []string{"otp:", "totp:", "rec:", "pwd:"}

// state reads the stored state of the tenant of r as indented JSON, for comparison. Codes and
// lockouts are read for every identifier of the tenant's users and for r's identifiers;
// WebAuthn ceremonies, which no identifier finds, by the ids in r.Ceremonies.
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
		s.Keys = append(s.Keys, k.ID+":"+k.Status+":"+k.Name)
	}
	s.Users, _, err = e.store.ListUsers(ctx, model.UserQuery{TenantID: r.TenantID, Limit: 1000})
	must(err)
	identifiers := map[string]bool{}
	for _, id := range []string{"email:" + r.Email, "phone_number:" + r.Phone, "username:" + r.Username, "user_id:" + r.UserID} {
		identifiers[id] = true
	}
	lockouts := []string{"webauthn:user:" + r.UserID}
	for _, u := range s.Users {
		for _, id := range []string{"email:" + u.Email, "phone_number:" + u.PhoneNumber, "username:" + u.Username, "user_id:" + u.ID} {
			identifiers[id] = true
		}
		lockouts = append(lockouts, "webauthn:user:"+u.ID)
		sessions, err := e.store.ListSessions(ctx, r.TenantID, u.ID)
		must(err)
		s.Sessions = append(s.Sessions, sessions...)
		creds, err := e.store.ListCredentials(ctx, r.TenantID, u.ID, "")
		must(err)
		s.Credentials = append(s.Credentials, creds...)
	}
	ids := sortedKeys(identifiers)
	for _, id := range ids {
		for _, kind := range lockoutKinds {
			lockouts = append(lockouts, kind+id)
		}
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
		for _, id := range ids {
			for _, purpose := range codePurposes {
				if c, err := e.store.LatestCode(ctx, r.TenantID, app.ID, purpose, id); err == nil {
					s.Codes = append(s.Codes, c)
				} else {
					must(err)
				}
			}
		}
		for _, key := range lockouts {
			if l, err := e.store.GetLockout(ctx, r.TenantID, app.ID, key); err == nil {
				s.Lockouts = append(s.Lockouts, l)
			} else {
				must(err)
			}
		}
	}
	for _, id := range r.Ceremonies {
		c, err := e.store.GetCode(ctx, r.TenantID, id)
		must(err)
		s.Codes = append(s.Codes, c)
	}
	for _, ticket := range r.Tickets {
		tk, err := e.store.FindCrossDeviceTicket(ctx, passkeys.TicketHash(e.keys, ticket))
		must(err)
		s.Tickets = append(s.Tickets, tk)
	}
	slices.SortFunc(s.Clients, func(x, y model.Client) int { return strings.Compare(x.ID, y.ID) })
	_, s.AuditEvents, err = e.store.ListAudit(ctx, model.AuditQuery{TenantID: r.TenantID, Limit: 1})
	must(err)
	msgs, err := e.store.ListMessages(ctx, r.TenantID, time.Time{}, 10000)
	must(err)
	for _, m := range msgs {
		s.Outbox = append(s.Outbox, m.ID)
	}
	if r.RefreshToken != "" {
		res := e.form("/oidc/token/introspection", url.Values{"token": {r.RefreshToken}}, r.ClientID, r.ClientSecret)
		if res.Status != 200 {
			e.t.Fatalf("introspect tenant %s's refresh token: %d %s", r.TenantID, res.Status, res.Body)
		}
		s.RefreshToken = res.JSON(e.t)
	}
	s.Orgs, err = e.store.ListOrganizations(ctx, r.TenantID)
	must(err)
	for _, o := range s.Orgs {
		members, err := e.store.ListMembers(ctx, r.TenantID, o.ID)
		must(err)
		s.Members = append(s.Members, members...)
	}
	for _, u := range s.Users {
		roles, err := e.store.UserMemberRoles(ctx, r.TenantID, u.ID)
		must(err)
		s.MemberRoles = append(s.MemberRoles, roles...)
	}
	out, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		e.t.Fatal(err)
	}
	return string(out)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
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
