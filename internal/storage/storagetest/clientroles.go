package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var clientRoleTests = []namedTest{
	{"RoundTrip", testClientRoleRoundTrip},
	{"DuplicateName", testClientRoleDuplicateName},
	{"ScopedToTenant", testClientRoleScoped},
	{"UpdateAndDelete", testClientRoleUpdateDelete},
}

func makeClientRole(e env, name string, perms ...string) model.ClientRole {
	if perms == nil {
		perms = []string{}
	}
	return model.ClientRole{ID: model.NewID(), TenantID: e.Tenant.ID, Name: name, Description: "does " + name,
		Permissions: perms, CreatedAt: at(time.Minute), UpdatedAt: at(2 * time.Minute)}
}

func newClientRole(t *testing.T, s storage.Store, e env, name string, perms ...string) model.ClientRole {
	t.Helper()
	r := makeClientRole(e, name, perms...)
	must(t, s.CreateClientRole(t.Context(), r), "create client role")
	return r
}

func testClientRoleRoundTrip(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	want := newClientRole(t, s, e, "support", "read:user", "write:user")
	got, err := s.GetClientRole(t.Context(), e.Tenant.ID, want.ID)
	must(t, err, "get client role")
	wantEqual(t, "GetClientRole", got, want)
	empty := newClientRole(t, s, e, "nothing")
	got, err = s.GetClientRole(t.Context(), e.Tenant.ID, empty.ID)
	must(t, err, "get client role")
	if got.Permissions == nil || len(got.Permissions) != 0 {
		t.Errorf("a role without permissions read back as %#v, want an empty list", got.Permissions)
	}
	list, err := s.ListClientRoles(t.Context(), e.Tenant.ID)
	must(t, err, "list client roles")
	wantList(t, "ListClientRoles", list, []model.ClientRole{want, empty})
	_, err = s.GetClientRole(t.Context(), e.Tenant.ID, model.NewID())
	wantNotFound(t, err, "GetClientRole of a missing id")
	wantNotFound(t, s.DeleteClientRole(t.Context(), e.Tenant.ID, model.NewID()), "DeleteClientRole of a missing id")
}

func testClientRoleDuplicateName(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	newClientRole(t, s, e, "ops")
	wantDuplicate(t, s.CreateClientRole(t.Context(), makeClientRole(e, "ops")), "name", "CreateClientRole with a taken name")
	newClientRole(t, s, newEnv(t, s), "ops") // free in another tenant
}

func testClientRoleScoped(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	r := newClientRole(t, s, e, "mine", "read:user")
	other := newEnv(t, s)
	_, err := s.GetClientRole(t.Context(), other.Tenant.ID, r.ID)
	wantNotFound(t, err, "GetClientRole through another tenant")
	err = s.UpdateClientRole(t.Context(), other.Tenant.ID, r.ID, func(x model.ClientRole) (model.ClientRole, error) { return x, nil })
	wantNotFound(t, err, "UpdateClientRole through another tenant")
	wantNotFound(t, s.DeleteClientRole(t.Context(), other.Tenant.ID, r.ID), "DeleteClientRole through another tenant")
	list, err := s.ListClientRoles(t.Context(), other.Tenant.ID)
	must(t, err, "list client roles")
	if len(list) != 0 {
		t.Errorf("another tenant lists %d client roles", len(list))
	}
	_, err = s.GetClientRole(t.Context(), e.Tenant.ID, r.ID)
	must(t, err, "the role is still there")
}

func testClientRoleUpdateDelete(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	r := newClientRole(t, s, e, "one", "read:user")
	taken := newClientRole(t, s, e, "two")
	err := s.UpdateClientRole(t.Context(), e.Tenant.ID, r.ID, func(x model.ClientRole) (model.ClientRole, error) {
		x.Name, x.Permissions, x.UpdatedAt = "uno", []string{"read:user", "write:user"}, at(time.Hour)
		return x, nil
	})
	must(t, err, "update client role")
	got, err := s.GetClientRole(t.Context(), e.Tenant.ID, r.ID)
	must(t, err, "get client role")
	want := r
	want.Name, want.Permissions, want.UpdatedAt = "uno", []string{"read:user", "write:user"}, at(time.Hour)
	wantEqual(t, "updated client role", got, want)
	err = s.UpdateClientRole(t.Context(), e.Tenant.ID, r.ID, func(x model.ClientRole) (model.ClientRole, error) {
		x.Name = taken.Name
		return x, nil
	})
	wantDuplicate(t, err, "name", "UpdateClientRole to a taken name")
	refused := errors.New("refused")
	err = s.UpdateClientRole(t.Context(), e.Tenant.ID, r.ID, func(x model.ClientRole) (model.ClientRole, error) { return x, refused })
	if !errors.Is(err, refused) {
		t.Errorf("UpdateClientRole returned %v, want the updater's error", err)
	}
	must(t, s.DeleteClientRole(t.Context(), e.Tenant.ID, r.ID), "delete client role")
	_, err = s.GetClientRole(t.Context(), e.Tenant.ID, r.ID)
	wantNotFound(t, err, "GetClientRole after its deletion")
}
