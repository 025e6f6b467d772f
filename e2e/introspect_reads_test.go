package e2e

import (
	"context"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// readCounter counts the database reads introspection may make: a client's stamp or row, its
// application and tenant, and a session whole or its life, alone or with a client's stamp.
type readCounter struct {
	storage.Store
	n atomic.Int64
}

func (r *readCounter) ClientStamp(ctx context.Context, id string) (int64, error) {
	r.n.Add(1)
	return r.Store.ClientStamp(ctx, id)
}

func (r *readCounter) GetClient(ctx context.Context, id string) (model.Client, error) {
	r.n.Add(1)
	return r.Store.GetClient(ctx, id)
}

func (r *readCounter) GetApplication(ctx context.Context, tenantID, id string) (model.Application, error) {
	r.n.Add(1)
	return r.Store.GetApplication(ctx, tenantID, id)
}

func (r *readCounter) GetTenant(ctx context.Context, id string) (model.Tenant, error) {
	r.n.Add(1)
	return r.Store.GetTenant(ctx, id)
}

func (r *readCounter) GetSession(ctx context.Context, tenantID, id string) (model.Session, error) {
	r.n.Add(1)
	return r.Store.GetSession(ctx, tenantID, id)
}

func (r *readCounter) GetSessionLife(ctx context.Context, tenantID, id string) (model.SessionLife, error) {
	r.n.Add(1)
	return r.Store.GetSessionLife(ctx, tenantID, id)
}

func (r *readCounter) GetSessionLifeAndClientStamp(ctx context.Context, tenantID, sessionID, clientID string) (model.SessionLife, bool, int64, error) {
	r.n.Add(1)
	return r.Store.GetSessionLifeAndClientStamp(ctx, tenantID, sessionID, clientID)
}

// Introspecting a user's access token reads the database once, on a node that holds the
// client: the client's stamp (its secret's check) and the token's session in one statement.
// That read still decides: a logout, or the rotation of the client's secret, counts at the
// next call. A caller whose credentials fail is refused before anything is said of the
// token, whatever it is.
func TestIntrospectionReadsOnce(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		var reads *readCounter
		o.wrapStore = func(s storage.Store) storage.Store { reads = &readCounter{Store: s}; return reads }
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "una@example.com")
		login := e.directLogin(tok, "una@example.com", nil)
		access := login["access_token"].(string)
		introspect := func(what string, wantActive bool, wantReads int64) {
			t.Helper()
			before := reads.n.Load()
			x := e.introspectAs(e.boot.ClientID, e.boot.ClientSecret, access)
			if x["active"] != wantActive || (wantReads >= 0 && reads.n.Load()-before != wantReads) {
				t.Fatalf("%s: active %v after %d reads, want %v after %d", what, x["active"], reads.n.Load()-before, wantActive, wantReads)
			}
		}
		introspect("first introspection", true, -1) // the node's copy of the client is made
		introspect("second introspection", true, 1)

		for _, token := range []string{access, "garbage", login["refresh_token"].(string), ""} {
			res := e.form("/oidc/token/introspection", url.Values{"token": {token}}, e.boot.ClientID, "wrong-secret")
			wantStatus(t, res, 401, "invalid_client")
			if body := res.JSON(t); body["active"] != nil {
				t.Fatalf("a caller with a wrong secret was told of the token: %v", body)
			}
		}

		wantStatus(t, e.do("POST", "/cis/v1/auth/session/logout", tok, map[string]any{"session_id": login["session_id"]}), 204, "")
		introspect("after logout", false, 1)

		// The introspecting client's secret rotated through the API: the old secret is refused
		// at once, though the node holds the client and the token's verdict.
		again := e.directLogin(tok, "una@example.com", nil)["access_token"].(string)
		if x := e.introspectAs(e.boot.ClientID, e.boot.ClientSecret, again); x["active"] != true {
			t.Fatalf("a new login's access token is inactive: %v", x)
		}
		res := e.do("POST", "/cis/v1/applications/"+e.boot.AppID+"/clients/"+e.boot.ClientID+"/secret", e.adminToken(), nil)
		wantStatus(t, res, 200, "")
		fresh := res.JSON(t)["client_secret"].(string)
		res = e.form("/oidc/token/introspection", url.Values{"token": {again}}, e.boot.ClientID, e.boot.ClientSecret)
		wantStatus(t, res, 401, "invalid_client")
		// With the new secret, the token issued to the client before the rotation is inactive.
		if x := e.introspectAs(e.boot.ClientID, fresh, again); x["active"] != false {
			t.Fatalf("an access token issued before its client's rotation is active: %v", x)
		}

		// Another client of the application introspects a user's token issued to the demo
		// client, then is deleted: its credentials are refused at once.
		admin := e.adminToken()
		clients := "/cis/v1/applications/" + e.boot.AppID + "/clients"
		res = e.do("POST", clients, admin, map[string]any{"name": "resource server"})
		wantStatus(t, res, 201, "")
		created := res.JSON(t)
		rsID, rsSecret := created["client_id"].(string), created["client_secret"].(string)
		tok = e.clientToken(e.boot.ClientID, fresh)
		third := e.directLogin(tok, "una@example.com", nil)["access_token"].(string)
		if x := e.introspectAs(rsID, rsSecret, third); x["active"] != true || x["client_id"] != e.boot.ClientID {
			t.Fatalf("another client's introspection of a live token: %v", x)
		}
		wantStatus(t, e.do("DELETE", clients+"/"+rsID, admin, nil), 204, "")
		res = e.form("/oidc/token/introspection", url.Values{"token": {third}}, rsID, rsSecret)
		wantStatus(t, res, 401, "invalid_client")
	})
}
