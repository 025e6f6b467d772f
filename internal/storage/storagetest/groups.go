package storagetest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var groupTests = []namedTest{
	{"RoundTrip", testGroupRoundTrip},
	{"Missing", testGroupMissing},
	{"DuplicateName", testGroupDuplicateName},
	{"OtherTenant", testGroupOtherTenant},
	{"Update", testGroupUpdate},
	{"Members", testGroupMembers},
	{"DeleteGroupEndsMemberships", testGroupDeleteEndsMemberships},
	{"DeleteUserEndsMemberships", testGroupDeleteUserEndsMemberships},
}

func makeGroup(tenantID, name string) model.Group {
	return model.Group{
		ID: model.NewID(), TenantID: tenantID, Name: name, Description: "the " + name,
		CustomData: json.RawMessage(`{"tier":"gold"}`), CreatedAt: at(0), UpdatedAt: at(0),
	}
}

func newGroup(t *testing.T, s storage.Store, tenantID, name string) model.Group {
	t.Helper()
	g := makeGroup(tenantID, name)
	must(t, s.CreateGroup(t.Context(), g), "create group")
	return g
}

func testGroupRoundTrip(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	want := newGroup(t, s, tenant.ID, "admins")
	got, err := s.GetGroup(t.Context(), tenant.ID, want.ID)
	must(t, err, "get group")
	wantEqual(t, "GetGroup", got, want)
	bare := model.Group{ID: model.NewID(), TenantID: tenant.ID, Name: "bare", CreatedAt: at(1), UpdatedAt: at(1)}
	must(t, s.CreateGroup(t.Context(), bare), "create group without data")
	got, err = s.GetGroup(t.Context(), tenant.ID, bare.ID)
	must(t, err, "get bare group")
	wantEqual(t, "GetGroup without custom data", got, bare)
	list, err := s.ListGroups(t.Context(), tenant.ID)
	must(t, err, "list groups")
	wantEqual(t, "ListGroups", list, []model.Group{want, bare})
}

func testGroupMissing(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	_, err := s.GetGroup(t.Context(), tenant.ID, model.NewID())
	wantNotFound(t, err, "GetGroup of a missing id")
	err = s.UpdateGroup(t.Context(), tenant.ID, model.NewID(), func(g model.Group) (model.Group, error) { return g, nil })
	wantNotFound(t, err, "UpdateGroup of a missing id")
	wantNotFound(t, s.DeleteGroup(t.Context(), tenant.ID, model.NewID()), "DeleteGroup of a missing id")
	wantNotFound(t, s.RemoveGroupUser(t.Context(), tenant.ID, model.NewID(), model.NewID()), "RemoveGroupUser of no membership")
}

func testGroupDuplicateName(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	first := newGroup(t, s, tenant.ID, "ops")
	second := makeGroup(tenant.ID, "ops")
	wantDuplicate(t, s.CreateGroup(t.Context(), second), "name", "CreateGroup with a taken name")
	_, err := s.GetGroup(t.Context(), tenant.ID, second.ID)
	wantNotFound(t, err, "GetGroup of the refused group")
	other := newGroup(t, s, tenant.ID, "dev")
	err = s.UpdateGroup(t.Context(), tenant.ID, other.ID, func(g model.Group) (model.Group, error) {
		g.Name = first.Name
		return g, nil
	})
	wantDuplicate(t, err, "name", "UpdateGroup to a taken name")
	// The same name in another tenant is no collision.
	newGroup(t, s, newTenant(t, s).ID, "ops")
}

func testGroupOtherTenant(t *testing.T, s storage.Store) {
	a, b := newTenant(t, s), newTenant(t, s)
	g := newGroup(t, s, a.ID, "staff")
	u := newUser(t, s, a.ID)
	must(t, s.AddGroupUsers(t.Context(), a.ID, g.ID, []string{u.ID}, at(1)), "add group user")
	_, err := s.GetGroup(t.Context(), b.ID, g.ID)
	wantNotFound(t, err, "GetGroup from another tenant")
	wantNotFound(t, s.DeleteGroup(t.Context(), b.ID, g.ID), "DeleteGroup from another tenant")
	wantNotFound(t, s.RemoveGroupUser(t.Context(), b.ID, g.ID, u.ID), "RemoveGroupUser from another tenant")
	list, err := s.ListGroups(t.Context(), b.ID)
	must(t, err, "list groups")
	wantEqual(t, "another tenant's groups", len(list), 0)
	ids, err := s.ListGroupUsers(t.Context(), b.ID, g.ID)
	must(t, err, "list group users")
	wantEqual(t, "another tenant's view of the members", len(ids), 0)
	groups, err := s.ListUserGroups(t.Context(), b.ID, u.ID)
	must(t, err, "list user groups")
	wantEqual(t, "another tenant's view of the user's groups", len(groups), 0)
}

func testGroupUpdate(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	g := newGroup(t, s, tenant.ID, "old")
	err := s.UpdateGroup(t.Context(), tenant.ID, g.ID, func(cur model.Group) (model.Group, error) {
		cur.Name, cur.Description, cur.CustomData, cur.UpdatedAt = "new", "renamed", nil, at(5)
		return cur, nil
	})
	must(t, err, "update group")
	got, err := s.GetGroup(t.Context(), tenant.ID, g.ID)
	must(t, err, "get group")
	g.Name, g.Description, g.CustomData, g.UpdatedAt = "new", "renamed", nil, at(5)
	wantEqual(t, "updated group", got, g)
	refusal := errors.New("refused")
	err = s.UpdateGroup(t.Context(), tenant.ID, g.ID, func(cur model.Group) (model.Group, error) {
		cur.Name = "changed"
		return cur, refusal
	})
	if !errors.Is(err, refusal) {
		t.Fatalf("UpdateGroup with a refusing updater = %v, want the updater's error", err)
	}
	got, _ = s.GetGroup(t.Context(), tenant.ID, g.ID)
	wantEqual(t, "group after a refused update", got, g)
}

func testGroupMembers(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	g1, g2 := newGroup(t, s, tenant.ID, "one"), newGroup(t, s, tenant.ID, "two")
	u1, u2 := newUser(t, s, tenant.ID), newUser(t, s, tenant.ID)
	must(t, s.AddGroupUsers(t.Context(), tenant.ID, g1.ID, []string{u1.ID}, at(1)), "add u1")
	// Adding again, with another user, keeps the first membership as it is.
	must(t, s.AddGroupUsers(t.Context(), tenant.ID, g1.ID, []string{u2.ID, u1.ID}, at(2)), "add u2 and u1 again")
	must(t, s.AddGroupUsers(t.Context(), tenant.ID, g2.ID, []string{u1.ID}, at(3)), "add u1 to g2")
	ids, err := s.ListGroupUsers(t.Context(), tenant.ID, g1.ID)
	must(t, err, "list group users")
	wantEqual(t, "members of g1", ids, []string{u1.ID, u2.ID})
	groups, err := s.ListUserGroups(t.Context(), tenant.ID, u1.ID)
	must(t, err, "list user groups")
	wantEqual(t, "groups of u1", groups, []model.Group{g1, g2})
	byUser, err := s.ListUsersGroupIDs(t.Context(), tenant.ID, []string{u1.ID, u2.ID, model.NewID()})
	must(t, err, "list users' group ids")
	wantEqual(t, "group ids of u1 and u2", byUser, map[string][]string{u1.ID: {g1.ID, g2.ID}, u2.ID: {g1.ID}})
	other := newTenant(t, s)
	byUser, err = s.ListUsersGroupIDs(t.Context(), other.ID, []string{u1.ID})
	must(t, err, "list group ids from another tenant")
	wantEqual(t, "group ids of u1 seen from another tenant", len(byUser), 0)
	must(t, s.RemoveGroupUser(t.Context(), tenant.ID, g1.ID, u1.ID), "remove u1 from g1")
	wantNotFound(t, s.RemoveGroupUser(t.Context(), tenant.ID, g1.ID, u1.ID), "removing u1 again")
	ids, _ = s.ListGroupUsers(t.Context(), tenant.ID, g1.ID)
	wantEqual(t, "members of g1 after the removal", ids, []string{u2.ID})
	groups, _ = s.ListUserGroups(t.Context(), tenant.ID, u1.ID)
	wantEqual(t, "groups of u1 after the removal", groups, []model.Group{g2})
}

func testGroupDeleteEndsMemberships(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	g := newGroup(t, s, tenant.ID, "temp")
	u := newUser(t, s, tenant.ID)
	must(t, s.AddGroupUsers(t.Context(), tenant.ID, g.ID, []string{u.ID}, at(1)), "add group user")
	must(t, s.DeleteGroup(t.Context(), tenant.ID, g.ID), "delete group")
	_, err := s.GetGroup(t.Context(), tenant.ID, g.ID)
	wantNotFound(t, err, "GetGroup after delete")
	groups, err := s.ListUserGroups(t.Context(), tenant.ID, u.ID)
	must(t, err, "list user groups")
	wantEqual(t, "groups of the user after the group's deletion", len(groups), 0)
	ids, _ := s.ListGroupUsers(t.Context(), tenant.ID, g.ID)
	wantEqual(t, "members left of a deleted group", len(ids), 0)
}

func testGroupDeleteUserEndsMemberships(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	g := newGroup(t, s, tenant.ID, "team")
	u, keep := newUser(t, s, tenant.ID), newUser(t, s, tenant.ID)
	must(t, s.AddGroupUsers(t.Context(), tenant.ID, g.ID, []string{u.ID, keep.ID}, at(1)), "add group users")
	must(t, s.DeleteUser(t.Context(), tenant.ID, u.ID), "delete user")
	ids, err := s.ListGroupUsers(t.Context(), tenant.ID, g.ID)
	must(t, err, "list group users")
	wantEqual(t, "members after a member's deletion", ids, []string{keep.ID})
}
