package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	linkRedirect = "http://localhost:3000/callback" // the demo client's redirect URI
	linkSend     = "/cis/v1/auth/link/email/send"
	linkAuth     = "/cis/v1/auth/link/email/authenticate"
)

var linkInText = regexp.MustCompile(`http://localhost:3000/callback\?\S+`)

// sendLink sends a magic link and returns the link read from the n-th email delivered to email.
func (e *env) sendLink(token, email string, body map[string]any, n int) *url.URL {
	e.t.Helper()
	wantStatus(e.t, e.do("POST", linkSend, token, body), 200, "")
	return e.deliveredLink(email, n)
}

func (e *env) deliveredLink(email string, n int) *url.URL {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msgs, err := e.mail.WaitFor(ctx, email, n)
	if err != nil {
		e.t.Fatalf("no email delivered to %s: %v", email, err)
	}
	raw := linkInText.FindString(msgs[n-1].Text)
	if raw == "" {
		e.t.Fatalf("no link in email: %q", msgs[n-1].Text)
	}
	u, err := url.Parse(raw)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) redeemLink(token, code string, extra map[string]any) response {
	e.t.Helper()
	body := map[string]any{"code": code}
	for k, v := range extra {
		body[k] = v
	}
	return e.do("POST", linkAuth, token, body)
}

func amrOf(t *testing.T, e *env, res response) []string {
	t.Helper()
	id := verifyIDToken(t, e, res.JSON(t)["id_token"].(string), e.boot.ClientID)
	var out []string
	for _, m := range id["amr"].([]any) {
		out = append(out, m.(string))
	}
	return out
}

func TestMagicLinkLogin(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		userID := e.createUser(tok, "ada@example.com")
		// The new shape, naming the user by id: the link still goes to their email.
		link := e.sendLink(tok, "ada@example.com", map[string]any{
			"identifier_type": "user_id", "identifier": userID, "redirect_uri": linkRedirect, "state": "csrf 1&2",
		}, 1)
		if link.Query().Get("state") != "csrf 1&2" || link.Query().Get("code") == "" {
			t.Fatalf("link lacks the state or the code: %s", link)
		}
		msg, _ := e.mail.Last("ada@example.com")
		if !strings.Contains(msg.HTML, "code=") || msg.Subject != "Sign in to Demo" {
			t.Fatalf("unexpected email: subject %q", msg.Subject)
		}
		res := e.redeemLink(tok, link.Query().Get("code"), map[string]any{
			"claims": map[string]any{"id_token": map[string]any{"email_verified": nil}},
		})
		wantStatus(t, res, 200, "")
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Fatal("tokens are cacheable")
		}
		id := verifyIDToken(t, e, res.JSON(t)["id_token"].(string), e.boot.ClientID)
		if id["sub"] != userID || id["email_verified"] != true || !slices.Equal(amrOf(t, e, res), []string{"eml"}) {
			t.Fatalf("unexpected ID token claims: %v", id)
		}
		// Single use: reloading the callback fails.
		wantStatus(t, e.redeemLink(tok, link.Query().Get("code"), nil), 400, "auth_invalid_credentials")
	})
}

func TestMagicLinkLegacyShapeAndRedirect(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "bo@example.com")
		for _, uri := range []string{"http://localhost:3000/other", linkRedirect + "/", "https://evil.example/callback"} {
			wantStatus(t, e.do("POST", linkSend, tok, map[string]any{"email": "bo@example.com", "redirect_uri": uri}), 400, "invalid_redirect_uri")
		}
		wantStatus(t, e.do("POST", linkSend, tok, map[string]any{"email": "bo@example.com"}), 400, "system_invalid_input")
		wantStatus(t, e.do("POST", linkSend, tok, map[string]any{
			"email": "bo@example.com", "identifier": "bo@example.com", "identifier_type": "email", "redirect_uri": linkRedirect,
		}), 400, "system_invalid_input")

		res := e.do("POST", linkSend, tok, map[string]any{"email": "bo@example.com", "redirect_uri": linkRedirect})
		wantStatus(t, res, 200, "")
		if string(res.Body) != "{\"message\":\"Email sent successfully\"}\n" {
			t.Fatalf("unexpected answer %s", res.Body)
		}
		link := e.deliveredLink("bo@example.com", 1)
		if link.Query().Has("state") {
			t.Fatalf("link has a state nobody gave: %s", link)
		}
		wantStatus(t, e.redeemLink(tok, link.Query().Get("code"), nil), 200, "")
	})
}

func TestMagicLinkBranding(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "cy@example.com")
		e.sendLink(tok, "cy@example.com", map[string]any{"email": "cy@example.com", "redirect_uri": linkRedirect,
			"email_content": map[string]any{
				"subject": "Your Acme sign-in", "primaryColor": "#C2185B", "headerText": "Hello again",
				"bodyText": "One click and you are in.", "linkText": "Enter Acme", "infoText": "Valid for one use.",
				"footerText": "Acme Ltd, 1 High St", "senderName": "The Acme team",
				"base64logo": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
			}}, 1)
		msg, _ := e.mail.Last("cy@example.com")
		if msg.Subject != "Your Acme sign-in" {
			t.Fatalf("subject %q", msg.Subject)
		}
		for _, want := range []string{"#c2185b", "Hello again", "One click and you are in.", "Enter Acme", "Valid for one use.",
			"Acme Ltd, 1 High St", "The Acme team", "data:image/png;base64,iVBORw0KGgo"} {
			if !strings.Contains(msg.HTML, want) {
				t.Errorf("HTML lacks %q", want)
			}
		}
		if !strings.Contains(msg.Text, "Enter Acme: http://localhost:3000/callback?code=") {
			t.Errorf("text part lacks the labelled link: %s", msg.Text)
		}
		wantStatus(t, e.do("POST", linkSend, tok, map[string]any{"email": "cy@example.com", "redirect_uri": linkRedirect,
			"email_content": map[string]any{"primaryColor": "pink", "base64logo": strings.Repeat("A", 20001)}}), 400, "system_invalid_input")
	})
}

func TestMagicLinkExpiry(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "di@example.com")
		e.createUser(tok, "dan@example.com")
		// Both links are sent before the clock moves: the delivery worker runs on real time.
		byDefault := e.sendLink(tok, "di@example.com", map[string]any{"email": "di@example.com", "redirect_uri": linkRedirect}, 1)
		short := e.sendLink(tok, "dan@example.com", map[string]any{"email": "dan@example.com", "redirect_uri": linkRedirect, "email_expiration": 1}, 1)
		e.clock.Advance(61 * time.Second)
		wantStatus(t, e.redeemLink(tok, short.Query().Get("code"), nil), 400, "auth_magic_link_expired")
		e.clock.Advance(15 * time.Minute) // the default expiry is 15 minutes
		tok = e.appToken()
		wantStatus(t, e.redeemLink(tok, byDefault.Query().Get("code"), nil), 400, "auth_magic_link_expired")
	})
}

func TestMagicLinkRequestID(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "ed@example.com")
		res := e.do("POST", linkSend, tok, map[string]any{"email": "ed@example.com", "redirect_uri": linkRedirect, "generate_request_id": true})
		wantStatus(t, res, 200, "")
		rid, _ := res.JSON(t)["request_id"].(string)
		if rid == "" {
			t.Fatalf("no request_id: %s", res.Body)
		}
		code := e.deliveredLink("ed@example.com", 1).Query().Get("code")
		wantStatus(t, e.redeemLink(tok, code, nil), 400, "auth_invalid_credentials")
		wantStatus(t, e.redeemLink(tok, code, map[string]any{"request_id": "wrong"}), 400, "auth_invalid_credentials")
		wantStatus(t, e.redeemLink(tok, code, map[string]any{"request_id": rid}), 200, "")
	})
}

func TestMagicLinkLinksPerUser(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		wantStatus(t, e.do("PUT", "/cis/loginPreferences/"+e.boot.AppID+"/authMethods", e.adminToken(),
			map[string]any{"email": map[string]any{"linksPerUser": 2}}), 200, "")
		tok := e.appToken()
		e.createUser(tok, "fay@example.com")
		send := map[string]any{"identifier_type": "email", "identifier": "fay@example.com", "redirect_uri": linkRedirect}
		wantStatus(t, e.do("POST", linkSend, tok, send), 200, "")
		wantStatus(t, e.do("POST", linkSend, tok, send), 200, "")
		res := e.do("POST", linkSend, tok, send)
		wantStatus(t, res, 429, "too_many_requests")
		secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 60 {
			t.Fatalf("Retry-After %q, want 1 to 60 seconds", res.Header.Get("Retry-After"))
		}
		e.clock.Advance(time.Minute)
		wantStatus(t, e.do("POST", linkSend, tok, send), 200, "")
	})
}

func TestMagicLinkDirectChannel(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "gus@example.com")
		since := e.clock.Now()
		res := e.do("POST", linkSend, tok, map[string]any{"email": "gus@example.com", "redirect_uri": linkRedirect, "channel": "direct", "state": "s"})
		wantStatus(t, res, 200, "")
		body := res.JSON(t)
		link, err := url.Parse(body["link"].(string))
		if err != nil || body["message"] != "Magic link created" || link.Query().Get("state") != "s" || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("unexpected direct answer %s", res.Body)
		}
		msgs, err := e.store.ListMessages(context.Background(), e.boot.TenantID, since, 100)
		if err != nil || len(msgs) != 0 {
			t.Fatalf("the direct channel queued messages: %v %v", msgs, err)
		}
		res = e.redeemLink(tok, link.Query().Get("code"), nil)
		wantStatus(t, res, 200, "")
		if amr := amrOf(t, e, res); !slices.Equal(amr, []string{"otp"}) {
			t.Fatalf("amr %v, want [otp] for a link the caller delivered", amr)
		}
	})
}

func TestMagicLinkUnknownUser(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		send := map[string]any{"email": "nobody@example.com", "redirect_uri": linkRedirect}
		wantStatus(t, e.do("POST", linkSend, tok, send), 404, "user_not_found")

		wantStatus(t, e.do("PUT", "/cis/v1/applications/"+e.boot.AppID, e.adminToken(), map[string]any{"enumeration_protection": true}), 200, "")
		e.createUser(tok, "known@example.com")
		unknown := e.do("POST", linkSend, tok, send)
		known := e.do("POST", linkSend, tok, map[string]any{"email": "known@example.com", "redirect_uri": linkRedirect})
		wantStatus(t, unknown, 200, "")
		if string(unknown.Body) != string(known.Body) {
			t.Fatalf("answers differ: unknown %s, known %s", unknown.Body, known.Body)
		}
		e.deliveredLink("known@example.com", 1)
		if _, ok := e.mail.Last("nobody@example.com"); ok {
			t.Fatal("a message was sent to an unknown user")
		}
	})
}

func TestMagicLinkAfterOTP(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "hal@example.com")
		first := e.authenticate(tok, "hal@example.com", e.sendCode(tok, "hal@example.com", 0), nil)
		wantStatus(t, first, 200, "")
		sid := first.JSON(t)["session_id"].(string)
		link := e.sendLink(tok, "hal@example.com", map[string]any{"email": "hal@example.com", "redirect_uri": linkRedirect}, 2)
		res := e.redeemLink(tok, link.Query().Get("code"), map[string]any{"session_id": sid})
		wantStatus(t, res, 200, "")
		if res.JSON(t)["session_id"] != sid {
			t.Fatalf("a new session was started: %s", res.Body)
		}
		if amr := amrOf(t, e, res); !slices.Equal(amr, []string{"eotp", "eml", "mfa"}) {
			t.Fatalf("amr %v, want [eotp eml mfa]", amr)
		}
	})
}

func TestMagicLinkConcurrentRedemptions(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "ida@example.com")
		code := e.sendLink(tok, "ida@example.com", map[string]any{"email": "ida@example.com", "redirect_uri": linkRedirect}, 1).Query().Get("code")
		body, _ := json.Marshal(map[string]any{"code": code})
		const n = 10
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.postConcurrently(t, linkAuth, tok, body)
			}()
		}
		wg.Wait()
		ok := 0
		for _, s := range statuses {
			switch s {
			case 200:
				ok++
			case 400:
			default:
				t.Errorf("unexpected status %d", s)
			}
		}
		if ok != 1 {
			t.Fatalf("statuses %v: %d redemptions succeeded, want exactly 1", statuses, ok)
		}
	})
}

// postConcurrently is e.do for goroutines: it reports failures with t.Errorf only.
func (e *env) postConcurrently(t *testing.T, path, bearer string, body []byte) int {
	req, err := http.NewRequest("POST", e.url+path, bytes.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+bearer)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Error(err)
		return 0
	}
	checkAgainstOpenAPI(t, e.api, req, response{Status: res.StatusCode, Header: res.Header, Body: data})
	return res.StatusCode
}
