package storagetest

import (
	"errors"
	"testing"

	"github.com/latchkey/latchkey/internal/storage"
)

var duplicateIDTests = []namedTest{
	{"Codes", testDuplicateCodeID},
	{"Sessions", testDuplicateSessionID},
	{"RefreshTokens", testDuplicateRefreshID},
	{"Messages", testDuplicateMessageID},
	{"ClientAcrossTenants", testDuplicateClientAcrossTenants},
}

// wantIDTaken checks the error of a create that reused an id.
func wantIDTaken(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("%s with a taken id: got %v, want ErrAlreadyExists", what, err)
	}
}

func testDuplicateCodeID(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	first := newCode(t, s, makeCode(e))
	second := makeCode(e)
	second.ID = first.ID
	wantIDTaken(t, s.CreateCode(t.Context(), second), "CreateCode")
	got, err := s.GetCode(t.Context(), e.Tenant.ID, first.ID)
	must(t, err, "get code")
	wantEqual(t, "first code after the rejected create", got, first)
}

func testDuplicateSessionID(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	first := newSession(t, s, makeSession(e))
	second := makeSession(e)
	second.ID = first.ID
	wantIDTaken(t, s.CreateSession(t.Context(), second), "CreateSession")
	got, err := s.GetSession(t.Context(), e.Tenant.ID, first.ID)
	must(t, err, "get session")
	wantEqual(t, "first session after the rejected create", got, first)
}

func testDuplicateRefreshID(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	sess := newSession(t, s, makeSession(e))
	first := newRefresh(t, s, makeRefresh(e, sess.ID))
	second := makeRefresh(e, sess.ID)
	second.ID = first.ID
	wantIDTaken(t, s.CreateRefreshToken(t.Context(), second), "CreateRefreshToken")
	_, err := s.GetRefreshTokenByHash(t.Context(), second.TokenHash)
	wantNotFound(t, err, "GetRefreshTokenByHash of the rejected token")
}

func testDuplicateMessageID(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	first := newMessage(t, s, makeMessage(tenant.ID, base))
	second := makeMessage(tenant.ID, base)
	second.ID = first.ID
	wantIDTaken(t, s.EnqueueMessage(t.Context(), second), "EnqueueMessage")
	got, err := s.GetMessage(t.Context(), first.ID)
	must(t, err, "get message")
	wantEqual(t, "first message after the rejected enqueue", got, first)
}

// Client ids are unique across the deployment, not only within a tenant: GetClient finds a
// client by id alone.
func testDuplicateClientAcrossTenants(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	other := newTenant(t, s)
	otherApp := newApp(t, s, other.ID)
	second := makeClient(other.ID, otherApp.ID)
	second.ID = e.Client.ID
	wantIDTaken(t, s.CreateClient(t.Context(), second), "CreateClient in another tenant")
	got, err := s.GetClient(t.Context(), e.Client.ID)
	must(t, err, "get client")
	wantEqual(t, "first client after the rejected create", got, e.Client)
}
