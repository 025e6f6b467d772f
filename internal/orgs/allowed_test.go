package orgs

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/roles"
)

// TestAllowedRoles checks that an organization's roles and role groups for an application
// bound the roles its members can be given there, and that narrowing them is refused while a
// member holds a role they would leave out.
func TestAllowedRoles(t *testing.T) {
	for _, engine := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		t.Run(engine.name, func(t *testing.T) { testAllowedRoles(t, engine.postgres) })
	}
}

func testAllowedRoles(t *testing.T, postgres bool) {
	f := newFixtureOn(t, postgres)
	ctx := t.Context()
	now := time.Now()
	rs := roles.New(f.store, nil)
	o, err := f.svc.Create(ctx, f.admin, Input{Name: ptr("Acme"), AppIDs: &[]string{f.app.AppID}})
	must(t, err, "create")
	_, err = f.svc.AddMember(ctx, f.app, o.ID, f.bob, MemberInput{})
	must(t, err, "add bob")
	var direct, grouped, outside model.Role
	for _, r := range []*model.Role{&direct, &grouped, &outside} {
		*r = model.Role{ID: model.NewID(), TenantID: f.app.TenantID, AppID: f.app.AppID, Name: model.NewID(), Permissions: []string{}, CreatedAt: now, UpdatedAt: now}
		must(t, f.store.CreateRole(ctx, *r), "create role")
	}
	g := model.RoleGroup{ID: model.NewID(), TenantID: f.app.TenantID, AppID: f.app.AppID, Name: "g", RoleIDs: []string{grouped.ID}, CreatedAt: now, UpdatedAt: now}
	must(t, f.store.CreateRoleGroup(ctx, g), "create group")
	held := func() []string {
		got, err := f.store.MemberRoles(ctx, f.app.TenantID, o.ID, f.app.AppID, f.bob)
		must(t, err, "member roles")
		var ids []string
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		return ids
	}

	// Nothing set: any role of the application.
	must(t, f.svc.SetMemberRoles(ctx, f.admin, f.app.AppID, o.ID, f.bob, []string{outside.ID}), "unrestricted")
	// Narrowing while bob holds outside is refused, naming it, and changes nothing.
	err = rs.SetOrgRoles(ctx, f.admin, f.app.AppID, o.ID, &[]string{direct.ID}, &[]string{g.ID})
	wantCode(t, err, fault.Invalid, "roles_held_by_members", "narrowing past a held role")
	if err == nil || !strings.Contains(err.Error(), outside.ID) {
		t.Errorf("refusal does not name %s: %v", outside.ID, err)
	}
	if r, gs, _ := f.store.GetOrgAppRoles(ctx, f.app.TenantID, o.ID, f.app.AppID); len(r)+len(gs) != 0 {
		t.Errorf("refused set stored %v %v", r, gs)
	}
	must(t, f.svc.SetMemberRoles(ctx, f.admin, f.app.AppID, o.ID, f.bob, []string{}), "clear")
	must(t, rs.SetOrgRoles(ctx, f.admin, f.app.AppID, o.ID, &[]string{direct.ID}, &[]string{g.ID}), "set allowed")

	// Direct and grouped roles may be given; one outside is refused with its id, changing nothing.
	must(t, f.svc.SetMemberRoles(ctx, f.admin, f.app.AppID, o.ID, f.bob, []string{direct.ID, grouped.ID}), "allowed roles")
	err = f.svc.SetMemberRoles(ctx, f.admin, f.app.AppID, o.ID, f.bob, []string{direct.ID, outside.ID})
	wantCode(t, err, fault.Invalid, CodeRoleNotAllowed, "a role outside the set")
	if fe := fault.As(err); fe == nil || !strings.Contains(fe.Message, outside.ID) || strings.Contains(fe.Message, direct.ID) {
		t.Errorf("refusal should name %s alone: %v", outside.ID, err)
	}
	want := []string{direct.ID, grouped.ID}
	slices.Sort(want)
	if got := held(); !slices.Equal(got, want) {
		t.Errorf("roles after the refusal %v, want %v", got, want)
	}
	// Widening (or clearing) the set is never refused.
	must(t, rs.SetOrgRoles(ctx, f.admin, f.app.AppID, o.ID, &[]string{direct.ID, outside.ID}, nil), "widen")
	must(t, f.svc.SetMemberRoles(ctx, f.admin, f.app.AppID, o.ID, f.bob, []string{outside.ID, grouped.ID}), "after widening")
	must(t, rs.SetOrgRoles(ctx, f.admin, f.app.AppID, o.ID, &[]string{}, &[]string{}), "clear the set")
	must(t, f.svc.SetMemberRoles(ctx, f.admin, f.app.AppID, o.ID, f.bob, []string{outside.ID, direct.ID, grouped.ID}), "unrestricted again")
}
