package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var clientTests = []namedTest{
	{"RoundTrip", testClientRoundTrip},
	{"GetMissing", testClientGetMissing},
	{"DuplicateID", testClientDuplicateID},
	{"ListPerApplication", testClientListPerApp},
	{"ListInCreationOrder", testClientListInCreationOrder},
	{"OtherTenant", testClientOtherTenant},
	{"Update", testClientUpdate},
	{"UpdateRefused", testClientUpdateRefused},
	{"Delete", testClientDelete},
	{"Roles", testClientRoles},
	{"CustomPermissions", testClientCustomPermissions},
	{"Stamp", testClientStamp},
}

// Every change of a client replaces its stamp, and every read gives the stamp of the row it
// read: the stamp alone tells whether a copy is the client as it is now.
func testClientStamp(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	stamp := func(what string) int64 {
		t.Helper()
		v, err := s.ClientStamp(t.Context(), e.Client.ID)
		must(t, err, what)
		got, err := s.GetClient(t.Context(), e.Client.ID)
		must(t, err, what)
		if got.Stamp != v {
			t.Errorf("%s: GetClient stamp %d, ClientStamp %d", what, got.Stamp, v)
		}
		list, err := s.ListClients(t.Context(), e.Tenant.ID, e.App.ID)
		must(t, err, what)
		if len(list) != 1 || list[0].Stamp != v {
			t.Errorf("%s: listed %+v, want stamp %d", what, list, v)
		}
		return v
	}
	seen := map[int64]bool{stamp("first read"): true}
	other := newClient(t, s, e.Tenant.ID, newApp(t, s, e.Tenant.ID).ID)
	if seen[other.Stamp] {
		t.Errorf("two clients share stamp %d", other.Stamp)
	}
	// An update that changes nothing still replaces it: the store cannot tell what a caller
	// compared, and a stamp that stayed would keep a copy read before a change alive.
	for i, change := range []func(*model.Client){
		func(*model.Client) {},
		func(c *model.Client) { c.SecretHash = []byte("rotated-secret-hash-0123456789ab"); c.TokenEpoch++ },
		func(c *model.Client) { c.RoleIDs = []string{"read-only"} },
	} {
		must(t, s.UpdateClient(t.Context(), e.Tenant.ID, e.Client.ID, func(c model.Client) (model.Client, error) {
			change(&c)
			return c, nil
		}), "update client")
		v := stamp("after an update")
		if seen[v] {
			t.Errorf("update %d kept stamp %d", i, v)
		}
		seen[v] = true
	}
	// A refused update changes nothing, the stamp included.
	before := stamp("before a refused update")
	_ = s.UpdateClient(t.Context(), e.Tenant.ID, e.Client.ID, func(c model.Client) (model.Client, error) {
		c.Name = "refused"
		return c, errors.New("refused")
	})
	if after := stamp("after a refused update"); after != before {
		t.Errorf("a refused update moved the stamp from %d to %d", before, after)
	}
	must(t, s.DeleteClient(t.Context(), e.Tenant.ID, e.Client.ID), "delete client")
	if _, err := s.ClientStamp(t.Context(), e.Client.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("stamp of a deleted client: %v, want ErrNotFound", err)
	}
	if _, err := s.ClientStamp(t.Context(), model.NewID()); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("stamp of an unknown client: %v, want ErrNotFound", err)
	}
}

// The permissions of a client's tenant-defined roles are kept with it, replaced by an update,
// and read back by every lookup.
func testClientCustomPermissions(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	for _, perms := range [][]string{{"read:user", "write:user"}, {}} {
		err := s.UpdateClient(t.Context(), e.Tenant.ID, e.Client.ID, func(cur model.Client) (model.Client, error) {
			cur.CustomPermissions = perms
			return cur, nil
		})
		must(t, err, "update client permissions")
		got, err := s.GetClient(t.Context(), e.Client.ID)
		must(t, err, "get client")
		wantEqual(t, "custom permissions after update", got.CustomPermissions, perms)
		list, err := s.ListClients(t.Context(), e.Tenant.ID, "")
		must(t, err, "list clients")
		wantEqual(t, "custom permissions in the tenant's list", list[0].CustomPermissions, perms)
	}
}

// A client's roles are kept as given, in order, replaced whole by an update and read back by
// every lookup (the one that authenticates a token included).
func testClientRoles(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	for _, roles := range [][]string{{"tenant-admin"}, {"read-only", "authentication"}, {}} {
		err := s.UpdateClient(t.Context(), e.Tenant.ID, e.Client.ID, func(cur model.Client) (model.Client, error) {
			cur.RoleIDs = roles
			return cur, nil
		})
		must(t, err, "update client roles")
		got, err := s.GetClient(t.Context(), e.Client.ID)
		must(t, err, "get client")
		wantEqual(t, "roles after update", got.RoleIDs, roles)
		list, err := s.ListClients(t.Context(), e.Tenant.ID, e.App.ID)
		must(t, err, "list clients")
		wantEqual(t, "roles in the list", list[0].RoleIDs, roles)
	}
	// Another client of the tenant keeps its own roles.
	other := newClient(t, s, e.Tenant.ID, e.App.ID)
	got, err := s.GetClient(t.Context(), other.ID)
	must(t, err, "get other client")
	wantEqual(t, "other client's roles", got.RoleIDs, other.RoleIDs)
}

func testClientRoundTrip(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	got, err := s.GetClient(t.Context(), e.Client.ID)
	must(t, err, "get client")
	wantEqual(t, "GetClient", got, e.Client)

	// A public client: no secret, no lists, default lifetimes.
	bare := model.Client{ID: model.NewID(), TenantID: e.Tenant.ID, AppID: e.App.ID, Name: "spa",
		CreatedAt: base, UpdatedAt: base}
	must(t, s.CreateClient(t.Context(), bare), "create bare client")
	got, err = s.GetClient(t.Context(), bare.ID)
	must(t, err, "get bare client")
	bare.Stamp = got.Stamp // the store's own (testClientStamp)
	wantEqual(t, "GetClient of a bare client", got, bare)
}

func testClientGetMissing(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	_, err := s.GetClient(t.Context(), model.NewID())
	wantNotFound(t, err, "GetClient of a missing id")
	err = s.UpdateClient(t.Context(), e.Tenant.ID, model.NewID(), func(c model.Client) (model.Client, error) {
		return c, nil
	})
	wantNotFound(t, err, "UpdateClient of a missing id")
	wantNotFound(t, s.DeleteClient(t.Context(), e.Tenant.ID, model.NewID()), "DeleteClient of a missing id")
}

func testClientDuplicateID(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	second := makeClient(e.Tenant.ID, e.App.ID)
	second.ID = e.Client.ID
	if err := s.CreateClient(t.Context(), second); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("CreateClient with a taken id: got %v, want ErrAlreadyExists", err)
	}
	got, err := s.GetClient(t.Context(), e.Client.ID)
	must(t, err, "get client")
	wantEqual(t, "first client after the rejected create", got, e.Client)
}

func testClientListPerApp(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	other := newApp(t, s, e.Tenant.ID)
	empty, err := s.ListClients(t.Context(), e.Tenant.ID, other.ID)
	must(t, err, "list clients of an application without any")
	if len(empty) != 0 {
		t.Errorf("ListClients of an application without any: got %v", idsOf(empty))
	}
	want := []model.Client{e.Client, newClient(t, s, e.Tenant.ID, e.App.ID)}
	otherClient := newClient(t, s, e.Tenant.ID, other.ID)

	list, err := s.ListClients(t.Context(), e.Tenant.ID, e.App.ID)
	must(t, err, "list clients")
	wantList(t, "ListClients", sortedByID(list), sortedByID(want))
	list, err = s.ListClients(t.Context(), e.Tenant.ID, other.ID)
	must(t, err, "list clients of the other application")
	wantIDs(t, "ListClients of the other application", list, otherClient.ID)
}

func testClientOtherTenant(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	intruder := newTenant(t, s)
	list, err := s.ListClients(t.Context(), intruder.ID, e.App.ID)
	must(t, err, "list clients under another tenant")
	if len(list) != 0 {
		t.Errorf("ListClients under another tenant: got %v, want none", idsOf(list))
	}
	called := false
	err = s.UpdateClient(t.Context(), intruder.ID, e.Client.ID, func(c model.Client) (model.Client, error) {
		called = true
		c.Name = "hijacked"
		return c, nil
	})
	wantNotFound(t, err, "UpdateClient under another tenant")
	if called {
		t.Errorf("UpdateClient under another tenant showed the client to the updater")
	}
	wantNotFound(t, s.DeleteClient(t.Context(), intruder.ID, e.Client.ID), "DeleteClient under another tenant")
	got, err := s.GetClient(t.Context(), e.Client.ID)
	must(t, err, "get client")
	wantEqual(t, "client after another tenant's update and delete", got, e.Client)
}

func testClientUpdate(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	want := e.Client
	want.Name = "renamed"
	want.SecretHash = randomBytes(32)
	want.RedirectURIs = nil
	want.ResourceIDs = []string{model.NewID()}
	want.DefaultCustomClaims = []string{"tier"}
	want.RoleIDs = []string{"user-admin"}
	want.AccessTokenTTL = 0
	want.TokenEpoch++
	want.UpdatedAt = at(time.Hour)
	var seen model.Client
	err := s.UpdateClient(t.Context(), e.Tenant.ID, e.Client.ID, func(cur model.Client) (model.Client, error) {
		seen = cur
		return want, nil
	})
	must(t, err, "update client")
	wantEqual(t, "client seen by the updater", seen, e.Client)
	got, err := s.GetClient(t.Context(), e.Client.ID)
	must(t, err, "get client")
	if got.Stamp == e.Client.Stamp {
		t.Errorf("the update kept stamp %d", got.Stamp)
	}
	want.Stamp = got.Stamp
	wantEqual(t, "client after update", got, want)
}

func testClientUpdateRefused(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	err := s.UpdateClient(t.Context(), e.Tenant.ID, e.Client.ID, func(cur model.Client) (model.Client, error) {
		cur.SecretHash = nil
		return cur, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateClient with a failing updater: got %v, want the updater's error", err)
	}
	got, err := s.GetClient(t.Context(), e.Client.ID)
	must(t, err, "get client")
	wantEqual(t, "client after a refused update", got, e.Client)
}

func testClientDelete(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	kept := newClient(t, s, e.Tenant.ID, e.App.ID)
	must(t, s.DeleteClient(t.Context(), e.Tenant.ID, e.Client.ID), "delete client")
	_, err := s.GetClient(t.Context(), e.Client.ID)
	wantNotFound(t, err, "GetClient after delete")
	wantNotFound(t, s.DeleteClient(t.Context(), e.Tenant.ID, e.Client.ID), "second DeleteClient")
	list, err := s.ListClients(t.Context(), e.Tenant.ID, e.App.ID)
	must(t, err, "list clients")
	wantIDs(t, "ListClients after delete", list, kept.ID)
}

// testClientListInCreationOrder checks that clients are listed oldest first and, when created
// at the same time, in the order they were created, whatever their ids: the first is the
// application's default client, which must not change from one read to the next.
func testClientListInCreationOrder(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	app := newApp(t, s, e.Tenant.ID)
	var want []string
	for i, id := range []string{"zzzz" + model.NewID()[4:], "aaaa" + model.NewID()[4:], "mmmm" + model.NewID()[4:]} {
		c := makeClient(e.Tenant.ID, app.ID)
		c.ID, c.CreatedAt = id, base
		if i == 2 {
			c.CreatedAt = base.Add(-time.Second) // older, though created last
			want = append([]string{id}, want...)
		} else {
			want = append(want, id)
		}
		must(t, s.CreateClient(t.Context(), c), "create client")
	}
	list, err := s.ListClients(t.Context(), e.Tenant.ID, app.ID)
	must(t, err, "list clients")
	wantIDs(t, "ListClients", list, want...)
}
