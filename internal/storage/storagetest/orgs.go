package storagetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var orgTests = []namedTest{
	{"RoundTrip", testOrgRoundTrip},
	{"Missing", testOrgMissing},
	{"DuplicateName", testOrgDuplicateName},
	{"OtherTenant", testOrgOtherTenant},
	{"Update", testOrgUpdate},
	{"Members", testOrgMembers},
	{"MemberRoles", testOrgMemberRoles},
	{"HeldRoleIDs", testOrgHeldRoleIDs},
	{"Login", testOrgLogin},
	{"DeleteOrganizationEndsMemberships", testOrgDelete},
	{"DeleteUserEndsMemberships", testOrgDeleteUser},
	{"DeleteRoleTakesItFromMembers", testOrgDeleteRole},
}

func makeOrg(e env, name string) model.Organization {
	return model.Organization{
		ID: model.NewID(), TenantID: e.Tenant.ID, Name: name, AliasName: name + " inc",
		Domains: []string{name + ".example"}, AppIDs: []string{e.App.ID}, Enabled: true,
		CreatedAt: at(0), UpdatedAt: at(time.Second),
	}
}

func newOrg(t *testing.T, s storage.Store, e env, name string) model.Organization {
	t.Helper()
	o := makeOrg(e, name)
	must(t, s.CreateOrganization(t.Context(), o), "create organization")
	return o
}

func newMember(t *testing.T, s storage.Store, e env, orgID, userID string, admin bool) model.Member {
	t.Helper()
	m := model.Member{TenantID: e.Tenant.ID, OrgID: orgID, UserID: userID, Enabled: true, OrgAdmin: admin,
		CreatedAt: at(time.Minute), UpdatedAt: at(time.Minute)}
	must(t, s.CreateMember(t.Context(), m), "create member")
	return m
}

func testOrgRoundTrip(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	want := newOrg(t, s, e, "acme")
	got, err := s.GetOrganization(t.Context(), e.Tenant.ID, want.ID)
	must(t, err, "get organization")
	wantEqual(t, "GetOrganization", got, want)
	got, err = s.GetOrganizationByName(t.Context(), e.Tenant.ID, "acme")
	must(t, err, "get organization by name")
	wantEqual(t, "GetOrganizationByName", got, want)
	bare := model.Organization{ID: model.NewID(), TenantID: e.Tenant.ID, Name: "bare", Domains: []string{}, AppIDs: []string{},
		CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, s.CreateOrganization(t.Context(), bare), "create bare organization")
	list, err := s.ListOrganizations(t.Context(), e.Tenant.ID)
	must(t, err, "list organizations")
	wantEqual(t, "ListOrganizations", list, []model.Organization{want, bare})
}

func testOrgMissing(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	_, err := s.GetOrganization(t.Context(), e.Tenant.ID, model.NewID())
	wantNotFound(t, err, "GetOrganization of a missing id")
	_, err = s.GetOrganizationByName(t.Context(), e.Tenant.ID, "nobody")
	wantNotFound(t, err, "GetOrganizationByName of a missing name")
	err = s.UpdateOrganization(t.Context(), e.Tenant.ID, model.NewID(), func(o model.Organization) (model.Organization, error) { return o, nil })
	wantNotFound(t, err, "UpdateOrganization of a missing id")
	wantNotFound(t, s.DeleteOrganization(t.Context(), e.Tenant.ID, model.NewID()), "DeleteOrganization of a missing id")
	_, err = s.GetMember(t.Context(), e.Tenant.ID, model.NewID(), e.User.ID)
	wantNotFound(t, err, "GetMember of no membership")
	err = s.UpdateMember(t.Context(), e.Tenant.ID, model.NewID(), e.User.ID, func(m model.Member) (model.Member, error) { return m, nil })
	wantNotFound(t, err, "UpdateMember of no membership")
	wantNotFound(t, s.DeleteMember(t.Context(), e.Tenant.ID, model.NewID(), e.User.ID), "DeleteMember of no membership")
	_, err = s.GetOrgLogin(t.Context(), e.Tenant.ID, model.NewID(), e.User.ID)
	wantNotFound(t, err, "GetOrgLogin of a missing organization")
}

func testOrgDuplicateName(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	newOrg(t, s, e, "acme")
	wantDuplicate(t, s.CreateOrganization(t.Context(), makeOrg(e, "acme")), "name", "second organization named acme")
	other := newOrg(t, s, e, "other")
	err := s.UpdateOrganization(t.Context(), e.Tenant.ID, other.ID, func(o model.Organization) (model.Organization, error) {
		o.Name = "acme"
		return o, nil
	})
	wantAlreadyExists(t, err, "name", "renaming to a taken name")
	// Another tenant may use the name.
	newOrg(t, s, newEnv(t, s), "acme")
}

func testOrgOtherTenant(t *testing.T, s storage.Store) {
	e, f := newEnv(t, s), newEnv(t, s)
	o := newOrg(t, s, e, "acme")
	newMember(t, s, e, o.ID, e.User.ID, false)
	_, err := s.GetOrganization(t.Context(), f.Tenant.ID, o.ID)
	wantNotFound(t, err, "GetOrganization from another tenant")
	_, err = s.GetOrganizationByName(t.Context(), f.Tenant.ID, "acme")
	wantNotFound(t, err, "GetOrganizationByName from another tenant")
	_, err = s.GetMember(t.Context(), f.Tenant.ID, o.ID, e.User.ID)
	wantNotFound(t, err, "GetMember from another tenant")
	_, err = s.GetOrgLogin(t.Context(), f.Tenant.ID, o.ID, e.User.ID)
	wantNotFound(t, err, "GetOrgLogin from another tenant")
	wantNotFound(t, s.DeleteOrganization(t.Context(), f.Tenant.ID, o.ID), "DeleteOrganization from another tenant")
	wantNotFound(t, s.DeleteMember(t.Context(), f.Tenant.ID, o.ID, e.User.ID), "DeleteMember from another tenant")
	list, err := s.ListOrganizations(t.Context(), f.Tenant.ID)
	must(t, err, "list organizations")
	if len(list) != 0 {
		t.Errorf("another tenant lists %d organizations", len(list))
	}
	members, err := s.ListUserMemberships(t.Context(), f.Tenant.ID, e.User.ID)
	must(t, err, "list memberships")
	if len(members) != 0 {
		t.Errorf("another tenant lists %d memberships", len(members))
	}
	if _, err := s.GetOrganization(t.Context(), e.Tenant.ID, o.ID); err != nil {
		t.Errorf("the organization is gone after another tenant's calls: %v", err)
	}
}

func testOrgUpdate(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	o := newOrg(t, s, e, "acme")
	err := s.UpdateOrganization(t.Context(), e.Tenant.ID, o.ID, func(cur model.Organization) (model.Organization, error) {
		cur.Name, cur.AliasName, cur.Enabled = "acme2", "", false
		cur.Domains, cur.AppIDs = []string{"a.example", "b.example"}, []string{}
		cur.UpdatedAt = at(time.Hour)
		return cur, nil
	})
	must(t, err, "update organization")
	got, err := s.GetOrganization(t.Context(), e.Tenant.ID, o.ID)
	must(t, err, "get organization")
	want := o
	want.Name, want.AliasName, want.Enabled = "acme2", "", false
	want.Domains, want.AppIDs, want.UpdatedAt = []string{"a.example", "b.example"}, []string{}, at(time.Hour)
	wantEqual(t, "updated organization", got, want)
	stop := errors.New("stop")
	err = s.UpdateOrganization(t.Context(), e.Tenant.ID, o.ID, func(cur model.Organization) (model.Organization, error) {
		cur.Name = "never"
		return cur, stop
	})
	if !errors.Is(err, stop) {
		t.Errorf("an updater's error: got %v", err)
	}
	got, _ = s.GetOrganization(t.Context(), e.Tenant.ID, o.ID)
	wantEqual(t, "organization after a refused update", got, want)
}

func testOrgMembers(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	o := newOrg(t, s, e, "acme")
	second := newUser(t, s, e.Tenant.ID)
	m1 := newMember(t, s, e, o.ID, e.User.ID, true)
	m2 := model.Member{TenantID: e.Tenant.ID, OrgID: o.ID, UserID: second.ID, Enabled: false, CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, s.CreateMember(t.Context(), m2), "create second member")
	if err := s.CreateMember(t.Context(), m1); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("a second membership of one user: got %v, want ErrAlreadyExists", err)
	}
	got, err := s.GetMember(t.Context(), e.Tenant.ID, o.ID, e.User.ID)
	must(t, err, "get member")
	wantEqual(t, "GetMember", got, m1)
	list, err := s.ListMembers(t.Context(), e.Tenant.ID, o.ID)
	must(t, err, "list members")
	wantEqual(t, "ListMembers", list, []model.Member{m1, m2})
	other := newOrg(t, s, e, "other")
	m3 := newMember(t, s, e, other.ID, e.User.ID, false)
	mine, err := s.ListUserMemberships(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "list memberships")
	wantEqual(t, "ListUserMemberships", mine, []model.Member{m1, m3})

	must(t, s.UpdateMember(t.Context(), e.Tenant.ID, o.ID, second.ID, func(m model.Member) (model.Member, error) {
		m.Enabled, m.OrgAdmin, m.UpdatedAt = true, true, at(2*time.Hour)
		return m, nil
	}), "update member")
	got, err = s.GetMember(t.Context(), e.Tenant.ID, o.ID, second.ID)
	must(t, err, "get updated member")
	m2.Enabled, m2.OrgAdmin, m2.UpdatedAt = true, true, at(2*time.Hour)
	wantEqual(t, "updated member", got, m2)

	must(t, s.DeleteMember(t.Context(), e.Tenant.ID, o.ID, second.ID), "delete member")
	_, err = s.GetMember(t.Context(), e.Tenant.ID, o.ID, second.ID)
	wantNotFound(t, err, "GetMember after DeleteMember")
	if _, err := s.GetUser(t.Context(), e.Tenant.ID, second.ID); err != nil {
		t.Errorf("the user is gone with their membership: %v", err)
	}
}

func testOrgMemberRoles(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	o := newOrg(t, s, e, "acme")
	newMember(t, s, e, o.ID, e.User.ID, false)
	viewer, editor := newRole(t, s, e, "viewer", "read"), newRole(t, s, e, "editor", "write")
	otherApp := newApp(t, s, e.Tenant.ID)
	foreign := newRole(t, s, env{Tenant: e.Tenant, App: otherApp}, "foreign")
	// A role of another application is skipped, not given.
	must(t, s.SetMemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, e.User.ID, []string{viewer.ID, editor.ID, foreign.ID}, at(0)), "set roles")
	got, err := s.MemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, e.User.ID)
	must(t, err, "member roles")
	wantEqual(t, "MemberRoles by name", got, []model.Role{editor, viewer})
	must(t, s.SetMemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, e.User.ID, []string{viewer.ID}, at(0)), "replace roles")
	got, err = s.MemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, e.User.ID)
	must(t, err, "member roles")
	wantEqual(t, "MemberRoles after replacing", got, []model.Role{viewer})
	all, err := s.UserMemberRoles(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "user member roles")
	wantEqual(t, "UserMemberRoles", all, []model.MemberRole{{OrgID: o.ID, AppID: e.App.ID, RoleID: viewer.ID}})
	// The user's own roles in the application are apart from their member roles.
	own, err := s.UserRoles(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "user roles")
	if len(own) != 0 {
		t.Errorf("member roles show as the user's own roles: %v", own)
	}
	must(t, s.SetMemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, e.User.ID, nil, at(0)), "clear roles")
	got, err = s.MemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, e.User.ID)
	must(t, err, "member roles")
	if len(got) != 0 {
		t.Errorf("roles after clearing: %v", got)
	}
}

// The roles an organization's members hold in an application are read together, each once,
// sorted: those of every member, of that application and that organization only.
func testOrgHeldRoleIDs(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	o, other := newOrg(t, s, e, "acme"), newOrg(t, s, e, "globex")
	second := newUser(t, s, e.Tenant.ID)
	for _, u := range []string{e.User.ID, second.ID} {
		newMember(t, s, e, o.ID, u, false)
	}
	newMember(t, s, e, other.ID, e.User.ID, false)
	viewer, editor, admin := newRole(t, s, e, "viewer", "read"), newRole(t, s, e, "editor", "write"), newRole(t, s, e, "admin")
	otherApp := newApp(t, s, e.Tenant.ID)
	foreign := newRole(t, s, env{Tenant: e.Tenant, App: otherApp}, "foreign")
	held := func(what string, want ...string) {
		t.Helper()
		got, err := s.HeldRoleIDs(t.Context(), e.Tenant.ID, o.ID, e.App.ID)
		must(t, err, "held role ids")
		slices.Sort(want)
		if len(got) != len(want) || !slices.Equal(got, want) {
			t.Errorf("%s: held %v, want %v", what, got, want)
		}
	}
	held("no roles")
	must(t, s.SetMemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, e.User.ID, []string{viewer.ID, editor.ID}, at(0)), "set roles")
	must(t, s.SetMemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, second.ID, []string{editor.ID}, at(0)), "set roles")
	must(t, s.SetMemberRoles(t.Context(), e.Tenant.ID, other.ID, e.App.ID, e.User.ID, []string{admin.ID}, at(0)), "set roles elsewhere")
	must(t, s.SetMemberRoles(t.Context(), e.Tenant.ID, o.ID, otherApp.ID, e.User.ID, []string{foreign.ID}, at(0)), "set roles of another application")
	held("two members", viewer.ID, editor.ID)
	must(t, s.DeleteMember(t.Context(), e.Tenant.ID, o.ID, e.User.ID), "remove a member")
	held("after a member left", editor.ID)
}

func testOrgLogin(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	o := newOrg(t, s, e, "acme")
	m := newMember(t, s, e, o.ID, e.User.ID, true)
	got, err := s.GetOrgLogin(t.Context(), e.Tenant.ID, o.ID, e.User.ID)
	must(t, err, "get organization login")
	wantEqual(t, "GetOrgLogin", got, model.OrgLogin{Org: o, Member: m})
	stranger := newUser(t, s, e.Tenant.ID)
	_, err = s.GetOrgLogin(t.Context(), e.Tenant.ID, o.ID, stranger.ID)
	wantNotFound(t, err, "GetOrgLogin of a user who is not a member")
}

func testOrgDelete(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	o := newOrg(t, s, e, "acme")
	newMember(t, s, e, o.ID, e.User.ID, false)
	role := newRole(t, s, e, "viewer")
	must(t, s.SetMemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, e.User.ID, []string{role.ID}, at(0)), "set roles")
	must(t, s.DeleteOrganization(t.Context(), e.Tenant.ID, o.ID), "delete organization")
	mine, err := s.ListUserMemberships(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "list memberships")
	roles, err := s.UserMemberRoles(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "user member roles")
	if len(mine) != 0 || len(roles) != 0 {
		t.Errorf("after deleting the organization: memberships %v, roles %v", mine, roles)
	}
	// The name is free again, and a new organization of that name has no members.
	o2 := makeOrg(e, "acme")
	must(t, s.CreateOrganization(t.Context(), o2), "create organization of the freed name")
	members, err := s.ListMembers(t.Context(), e.Tenant.ID, o2.ID)
	must(t, err, "list members")
	if len(members) != 0 {
		t.Errorf("a new organization has members %v", members)
	}
}

func testOrgDeleteUser(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	o := newOrg(t, s, e, "acme")
	newMember(t, s, e, o.ID, e.User.ID, false)
	role := newRole(t, s, e, "viewer")
	must(t, s.SetMemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, e.User.ID, []string{role.ID}, at(0)), "set roles")
	must(t, s.DeleteUser(t.Context(), e.Tenant.ID, e.User.ID), "delete user")
	members, err := s.ListMembers(t.Context(), e.Tenant.ID, o.ID)
	must(t, err, "list members")
	roles, err := s.UserMemberRoles(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "user member roles")
	if len(members) != 0 || len(roles) != 0 {
		t.Errorf("after deleting the user: members %v, roles %v", members, roles)
	}
}

func testOrgDeleteRole(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	o := newOrg(t, s, e, "acme")
	newMember(t, s, e, o.ID, e.User.ID, false)
	viewer, editor := newRole(t, s, e, "viewer"), newRole(t, s, e, "editor")
	must(t, s.SetMemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, e.User.ID, []string{viewer.ID, editor.ID}, at(0)), "set roles")
	must(t, s.DeleteRole(t.Context(), e.Tenant.ID, e.App.ID, viewer.ID), "delete role")
	got, err := s.MemberRoles(t.Context(), e.Tenant.ID, o.ID, e.App.ID, e.User.ID)
	must(t, err, "member roles")
	wantEqual(t, "MemberRoles after deleting a role", got, []model.Role{editor})
	must(t, s.DeleteApplication(t.Context(), e.Tenant.ID, e.App.ID), "delete application")
	all, err := s.UserMemberRoles(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "user member roles")
	if len(all) != 0 {
		t.Errorf("after deleting the application the member keeps roles %v", all)
	}
}
