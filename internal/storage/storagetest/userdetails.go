package storagetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var userDetailTests = []namedTest{
	{"UserCredentials", testListUserCredentials},
	{"LoginMethods", testListLoginMethods},
}

// testListUserCredentials checks that a batch read returns every credential of the type of
// the users asked about, across more users than one statement asks about, and nothing else.
func testListUserCredentials(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	var ids, want []string
	for i := range 130 {
		u := newUser(t, s, e.Tenant.ID)
		ids = append(ids, u.ID)
		if i%3 == 0 {
			c := makeCredential(env{Tenant: e.Tenant, App: e.App, User: u}, model.CredentialPassword)
			newCredential(t, s, c)
			want = append(want, c.ID)
		}
		if i%5 == 0 {
			newCredential(t, s, makeCredential(env{Tenant: e.Tenant, App: e.App, User: u}, model.CredentialTOTP))
		}
	}
	// A password of a user not asked about, and one under another tenant, stay out.
	newCredential(t, s, makeCredential(e, model.CredentialPassword))
	other := newEnv(t, s)
	newCredential(t, s, makeCredential(other, model.CredentialPassword))

	got, err := s.ListUserCredentials(t.Context(), e.Tenant.ID, model.CredentialPassword, append(ids, other.User.ID))
	must(t, err, "list user credentials")
	gotIDs := idsOf(got)
	slices.Sort(gotIDs)
	slices.Sort(want)
	if !slices.Equal(gotIDs, want) {
		t.Errorf("ListUserCredentials: got %d credentials, want %d", len(gotIDs), len(want))
	}
	for _, c := range got {
		if c.Type != model.CredentialPassword || len(c.Secret) == 0 {
			t.Errorf("ListUserCredentials returned %s credential %s without its secret or of another type", c.Type, c.ID)
		}
	}
	none, err := s.ListUserCredentials(t.Context(), e.Tenant.ID, model.CredentialPassword, nil)
	if err != nil || len(none) != 0 {
		t.Errorf("ListUserCredentials of no users = %v, %v; want none", none, err)
	}
}

// testListLoginMethods checks that the first and last successful login of each user with each
// method come from the audit log, and that failures, other event types, other users and other
// tenants do not count.
func testListLoginMethods(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	ada, grace, quiet := model.NewID(), model.NewID(), model.NewID()
	login := func(tenantID, userID, typ, method string, d time.Duration) {
		ev := makeAuditEvent(tenantID, at(d))
		ev.UserID, ev.Type, ev.Method = userID, typ, method
		must(t, s.AppendAudit(t.Context(), ev), "append audit event")
	}
	login(e.Tenant.ID, ada, model.EventLoginSucceeded, model.AMREmailOTP, 3*time.Minute)
	login(e.Tenant.ID, ada, model.EventLoginSucceeded, model.AMREmailOTP, time.Minute)
	login(e.Tenant.ID, ada, model.EventLoginSucceeded, model.AMREmailOTP, 2*time.Minute)
	login(e.Tenant.ID, ada, model.EventLoginFailed, model.AMREmailOTP, 9*time.Minute)
	login(e.Tenant.ID, ada, model.EventLoginSucceeded, model.AMRPassword, 5*time.Minute)
	login(e.Tenant.ID, grace, model.EventLoginSucceeded, model.AMRWebAuthn, 4*time.Minute)
	login(e.Tenant.ID, grace, model.EventSessionRefresh, model.AMRWebAuthn, 8*time.Minute)
	login(e.Tenant.ID, quiet, model.EventLoginSucceeded, model.AMRSMS, time.Minute)
	login(newTenant(t, s).ID, ada, model.EventLoginSucceeded, model.AMRTOTP, time.Minute)

	got, err := s.ListLoginMethods(t.Context(), e.Tenant.ID, []string{ada, grace, model.NewID()})
	must(t, err, "list login methods")
	slices.SortFunc(got, func(a, b model.LoginMethodUse) int {
		return strings.Compare(a.UserID+a.Method, b.UserID+b.Method)
	})
	want := []model.LoginMethodUse{
		{UserID: ada, Method: model.AMREmailOTP, First: at(time.Minute), Last: at(3 * time.Minute)},
		{UserID: ada, Method: model.AMRPassword, First: at(5 * time.Minute), Last: at(5 * time.Minute)},
		{UserID: grace, Method: model.AMRWebAuthn, First: at(4 * time.Minute), Last: at(4 * time.Minute)},
	}
	slices.SortFunc(want, func(a, b model.LoginMethodUse) int {
		return strings.Compare(a.UserID+a.Method, b.UserID+b.Method)
	})
	if len(got) != len(want) {
		t.Fatalf("ListLoginMethods: got %+v, want %+v", got, want)
	}
	for i := range got {
		wantEqual(t, "login method "+want[i].Method, got[i], want[i])
	}
}
