package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// nodeIntrospect asks p's introspection endpoint about tok with the client credentials id and
// secretText, and returns its answer.
func nodeIntrospect(t *testing.T, p *latchkeyProcess, id, secretText, tok string) map[string]any {
	t.Helper()
	res := nodeIntrospectResponse(t, p, id, secretText, tok)
	wantStatus(t, res, 200, "")
	return res.JSON(t)
}

// nodeIntrospectResponse is nodeIntrospect's response, whatever its status.
func nodeIntrospectResponse(t *testing.T, p *latchkeyProcess, id, secretText, tok string) response {
	t.Helper()
	req, err := httpFormRequest(p.url+"/oidc/token/introspection", url.Values{"token": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secretText))
	res, err := nodeSend(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// multiNodeRotation: a client's secret rotated through node 1 ends its tokens on node 2 at
// once, although node 2 has just read the client (its configuration copy holds the client
// for seconds): tokens are checked against the client as the database has it.
func multiNodeRotation(t *testing.T, c *nodePair) {
	n1, n2 := c.nodes[0], c.nodes[1]
	admin := nodeToken(t, n1, c.boot.AdminClientID, c.boot.AdminClientSecret)
	clients := "/cis/v1/applications/" + c.boot.AppID + "/clients"
	res := nodeCall(t, n1, "POST", clients, admin, map[string]any{"name": "rotated on node 1"})
	wantStatus(t, res, 201, "")
	created := res.JSON(t)
	id, sec := created["client_id"].(string), created["client_secret"].(string)
	tok := nodeToken(t, n2, id, sec)
	wantStatus(t, nodeCall(t, n2, "GET", "/cis/v1/users?page_limit=1", tok, nil), 200, "")
	if x := nodeIntrospect(t, n2, id, sec, tok); x["active"] != true {
		t.Fatalf("a fresh client token is inactive on node 2: %v", x)
	}
	// A user's access token issued to the client, introspected by the client on node 2: node 2
	// then holds the client and the token's verdict.
	const email = "rotation-user@example.com"
	nodeCreateUser(t, n1, tok, email)
	wantStatus(t, nodeCall(t, n1, "POST", "/cis/v1/auth/otp/send", tok, otpSendBody("email", email)), 200, "")
	code := smtpCode(t, waitSMTP(t, c.smtp, email, 1)[0])
	login := nodeCall(t, n1, "POST", "/cis/v1/auth/otp/authenticate", tok, otpAuthBody(email, code))
	wantStatus(t, login, 200, "")
	userAccess := jsonString(t, login, "access_token")
	if x := nodeIntrospect(t, n2, id, sec, userAccess); x["active"] != true {
		t.Fatalf("a user's access token is inactive on node 2: %v", x)
	}

	res = nodeCall(t, n1, "POST", clients+"/"+id+"/secret", admin, nil)
	wantStatus(t, res, 200, "")
	sec2 := res.JSON(t)["client_secret"].(string)

	wantStatus(t, nodeCall(t, n2, "GET", "/cis/v1/users?page_limit=1", tok, nil), 401, "unauthorized")
	if x := nodeIntrospect(t, n2, c.boot.ClientID, c.boot.ClientSecret, tok); x["active"] != false {
		t.Fatalf("node 2 reports a token of a rotated client active: %v", x)
	}
	// Introspecting the user's token with the old secret is refused on node 2 at once, and
	// with the new one the token, issued before the rotation, is inactive.
	wantStatus(t, nodeIntrospectResponse(t, n2, id, sec, userAccess), 401, "invalid_client")
	if x := nodeIntrospect(t, n2, id, sec2, userAccess); x["active"] != false {
		t.Fatalf("node 2 reports a user token of a rotated client active: %v", x)
	}
	renewed := nodeToken(t, n2, id, sec2)
	wantStatus(t, nodeCall(t, n1, "GET", "/cis/v1/users?page_limit=1", renewed, nil), 200, "")
	wantStatus(t, nodeCall(t, n2, "GET", "/cis/v1/users?page_limit=1", renewed, nil), 200, "")
}

func httpFormRequest(target string, form url.Values) (*http.Request, error) {
	req, err := http.NewRequest("POST", target, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}
