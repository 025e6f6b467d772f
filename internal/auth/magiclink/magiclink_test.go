package magiclink_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/magiclink"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

func TestMagicLinkLogin(t *testing.T) {
	f := newMLFixture(t)
	u := f.user("ada@example.com")
	sent := f.send(magiclink.MagicLinkSend{IdentifierType: "email", Identifier: "Ada@Example.com", State: "xyz 1/2"})
	if sent.Message != "Email sent successfully" || sent.Link != "" || sent.RequestID != "" {
		t.Fatalf("unexpected answer %+v", sent)
	}
	msgs := f.Messages("ada@example.com")
	if len(msgs) != 1 || msgs[0].Subject != "Sign in to Demo" || !strings.Contains(msgs[0].HTML, "shop.example/cb?") {
		t.Fatalf("unexpected email: %+v", msgs)
	}
	link := f.lastLink("ada@example.com")
	q := link.Query()
	if q.Get("tab") != "sign in" || q.Get("state") != "xyz 1/2" || q.Get("code") == "" {
		t.Fatalf("link %s lost the redirect's query, the state or the code", link)
	}
	code := q.Get("code")
	id, sec, _ := strings.Cut(code, ".")
	rec, err := f.Store.GetCode(f.Ctx, f.Boot.TenantID, id)
	if err != nil {
		t.Fatalf("the code's id does not name its record: %v", err)
	}
	if rec.Purpose != model.PurposeMagicLink || rec.UserID != u.ID || rec.Destination != "ada@example.com" ||
		rec.Identifier != "email:ada@example.com" || strings.Contains(string(rec.CodeHash), sec) {
		t.Fatalf("unexpected code record %+v", rec)
	}
	if want := f.Clock.Now().Add(15 * time.Minute); !rec.ExpiresAt.Equal(want) {
		t.Fatalf("expires at %v, want the default 15 minutes (%v)", rec.ExpiresAt, want)
	}

	tok, err := f.redeem(code, nil)
	if err != nil {
		t.Fatal(err)
	}
	id2 := f.IDClaims(tok.IDToken)
	if id2["sub"] != u.ID || !slices.Equal(toStrings(id2["amr"]), []string{"eml"}) || tok.SessionID == "" || tok.RefreshToken == "" {
		t.Fatalf("unexpected tokens %+v, claims %v", tok, id2)
	}
	got, _ := f.Store.GetUser(f.Ctx, f.Boot.TenantID, u.ID)
	if got.EmailVerifiedAt == nil {
		t.Fatal("email not verified by the magic link")
	}
	// Single use: a reload of the callback fails.
	_, err = f.redeem(code, nil)
	wantFault(t, err, fault.CodeInvalidCredentials)
}

func TestMagicLinkLegacyShape(t *testing.T) {
	f := newMLFixture(t)
	f.user("bo@example.com")
	f.send(magiclink.MagicLinkSend{Email: "bo@example.com"})
	if _, err := f.redeem(f.lastLink("bo@example.com").Query().Get("code"), nil); err != nil {
		t.Fatal(err)
	}
	_, err := f.links.SendMagicLink(f.Ctx, f.Caller, magiclink.MagicLinkSend{Email: "bo@example.com", Identifier: "bo@example.com", RedirectURI: mlRedirect})
	wantFault(t, err, fault.CodeInvalidInput)
}

func TestMagicLinkSendValidation(t *testing.T) {
	f := newMLFixture(t)
	_, err := f.links.SendMagicLink(f.Ctx, f.Caller, magiclink.MagicLinkSend{
		IdentifierType: "nickname", Channel: "sms", State: strings.Repeat("s", 1025), ExpiresIn: 2000,
		Content: &magiclink.MagicLinkContent{PrimaryColor: "red", Logo: strings.Repeat("A", 20001), Subject: strings.Repeat("x", 201)},
	})
	fe := wantFault(t, err, fault.CodeInvalidInput)
	want := []string{"identifier_type", "identifier is required", "channel", "redirect_uri is required", "state",
		"email_expiration", "primaryColor", "base64logo", "subject"}
	for _, w := range want {
		if !slices.ContainsFunc(fe.Details, func(d string) bool { return strings.Contains(d, w) }) {
			t.Errorf("problems %q do not mention %s", fe.Details, w)
		}
	}
	_, err = f.links.SendMagicLink(f.Ctx, f.Caller, magiclink.MagicLinkSend{Email: "a@example.com", RedirectURI: mlRedirect,
		Content: &magiclink.MagicLinkContent{Logo: base64.StdEncoding.EncodeToString([]byte("plain text"))}})
	wantFault(t, err, fault.CodeInvalidInput)
}

func TestMagicLinkRedirectMustBeTheClients(t *testing.T) {
	f := newMLFixture(t)
	f.user("cy@example.com")
	other := model.Client{ID: model.NewID(), TenantID: f.Boot.TenantID, AppID: f.Boot.AppID, Name: "Other",
		RedirectURIs: []string{"https://other.example/cb"}, CreatedAt: f.Clock.Now(), UpdatedAt: f.Clock.Now()}
	if err := f.Store.CreateClient(f.Ctx, other); err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{"https://other.example/cb", "https://shop.example/cb", mlRedirect + "&x=1", "https://shop.example/cb/?tab=sign%20in"} {
		_, err := f.links.SendMagicLink(f.Ctx, f.Caller, magiclink.MagicLinkSend{Email: "cy@example.com", RedirectURI: uri})
		wantFault(t, err, auth.CodeInvalidRedirectURI)
	}
	if n := len(f.Messages("cy@example.com")); n != 0 {
		t.Fatalf("%d emails sent for refused redirects", n)
	}
	f.send(magiclink.MagicLinkSend{Email: "cy@example.com", RedirectURI: "http://localhost:3000/callback"})
	if link := f.Messages("cy@example.com")[0].Text; !strings.Contains(link, "http://localhost:3000/callback?code=") {
		t.Fatalf("link does not use the redirect: %s", link)
	}
}

func TestMagicLinkNewSendSpendsEarlierLinks(t *testing.T) {
	f := newMLFixture(t)
	f.user("di@example.com")
	f.send(magiclink.MagicLinkSend{Email: "di@example.com"})
	first := f.lastLink("di@example.com").Query().Get("code")
	f.send(magiclink.MagicLinkSend{IdentifierType: "email", Identifier: "di@example.com"})
	second := f.lastLink("di@example.com").Query().Get("code")
	_, err := f.redeem(first, nil)
	wantFault(t, err, fault.CodeInvalidCredentials)
	if _, err := f.redeem(second, nil); err != nil {
		t.Fatal(err)
	}
}

func TestMagicLinkBranding(t *testing.T) {
	f := newMLFixture(t)
	f.user("ed@example.com")
	f.UpdateApp(func(a *model.Application) {
		a.Preferences.MagicLink.Message = model.MessageBranding{From: "Acme <no-reply@acme.example>", Subject: "App subject", PrimaryColor: "#00ff00"}
	})
	f.send(magiclink.MagicLinkSend{Email: "ed@example.com"})
	m := f.Messages("ed@example.com")[0]
	if m.Subject != "App subject" || !strings.Contains(m.HTML, "#00ff00") || m.From != "Acme <no-reply@acme.example>" {
		t.Fatalf("application branding not applied: %s %s", m.Subject, m.From)
	}
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\nrest-of-image"))
	f.send(magiclink.MagicLinkSend{Email: "ed@example.com", Content: &magiclink.MagicLinkContent{
		Subject: "Your Acme link", PrimaryColor: "#AA3300", Logo: png, HeaderText: "Welcome back",
		BodyText: "Tap to continue.", LinkText: "Open Acme", InfoText: "Works once.", FooterText: "Acme Inc", Sender: "The Acme team",
	}})
	m = f.Messages("ed@example.com")[1]
	if m.Subject != "Your Acme link" || m.From != `"The Acme team" <no-reply@acme.example>` {
		t.Fatalf("request branding not applied: subject %q, from %q", m.Subject, m.From)
	}
	for _, want := range []string{"#aa3300", "data:image/png;base64," + png, "Welcome back", "Tap to continue.", "Open Acme", "Works once.", "Acme Inc", "The Acme team"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestMagicLinkDirectChannel(t *testing.T) {
	f := newMLFixture(t)
	u := f.user("fay@example.com")
	sent := f.send(magiclink.MagicLinkSend{Email: "fay@example.com", Channel: "direct", State: "s1"})
	if sent.Message != "Magic link created" || !strings.HasPrefix(sent.Link, "https://shop.example/cb?") || !strings.Contains(sent.Link, "state=s1") {
		t.Fatalf("unexpected direct answer %+v", sent)
	}
	if n := len(f.Messages("fay@example.com")); n != 0 {
		t.Fatalf("the direct channel queued %d emails", n)
	}
	_, code, _ := strings.Cut(sent.Link, "code=")
	code, _, _ = strings.Cut(code, "&")
	tok, err := f.redeem(code, nil)
	if err != nil {
		t.Fatal(err)
	}
	if amr := toStrings(f.IDClaims(tok.IDToken)["amr"]); !slices.Equal(amr, []string{"otp"}) {
		t.Fatalf("amr of a direct link = %v, want [otp]", amr)
	}
	if got, _ := f.Store.GetUser(f.Ctx, f.Boot.TenantID, u.ID); got.EmailVerifiedAt != nil {
		t.Fatal("a link the caller delivered verified the email")
	}
}

func TestMagicLinkUnknownUser(t *testing.T) {
	f := newMLFixture(t)
	_, err := f.links.SendMagicLink(f.Ctx, f.Caller, magiclink.MagicLinkSend{Email: "nobody@example.com", RedirectURI: mlRedirect})
	wantFault(t, err, fault.CodeUserNotFound)

	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = true })
	f.user("known@example.com")
	var lastLink string
	for _, channel := range []string{"email", "direct"} {
		req := magiclink.MagicLinkSend{Channel: channel, GenerateRequestID: true, RedirectURI: mlRedirect}
		req.Email = "known@example.com"
		known := f.send(req)
		req.Email = "nobody@example.com"
		_, before := f.Store.Stats()
		unknown := f.send(req)
		// A real send's write transaction, so that timing does not tell them apart either.
		if _, after := f.Store.Stats(); after-before != 1 {
			t.Errorf("%s: the decoy send took %d transactions, want 1 as a real one", channel, after-before)
		}
		if known.Message != unknown.Message || (known.Link == "") != (unknown.Link == "") || unknown.RequestID == "" {
			t.Fatalf("%s: answers differ: known %+v, unknown %+v", channel, known, unknown)
		}
		if channel == "direct" {
			lastLink = unknown.Link
			_, code, _ := strings.Cut(unknown.Link, "code=")
			_, err := f.redeem(code, func(r *magiclink.MagicLinkAuthenticate) { r.RequestID = unknown.RequestID })
			wantFault(t, err, fault.CodeInvalidCredentials)
		}
	}
	if n := len(f.Messages("nobody@example.com")); n != 0 {
		t.Fatal("an email was queued for an unknown user")
	}
	// The decoy stores a live code, as a real send does (the next send spends it), for no user
	// and under an id the answer does not name: nothing presented can reach it.
	dec, err := f.Store.LatestCode(f.Ctx, f.Boot.TenantID, f.Boot.AppID, model.PurposeMagicLink, "email:nobody@example.com")
	if err != nil || dec.UserID != "" || strings.Contains(lastLink, dec.ID) {
		t.Fatalf("decoy code %+v (%v), last decoy link %s", dec, err, lastLink)
	}
}

func TestMagicLinkPublicSignup(t *testing.T) {
	f := newMLFixture(t)
	f.UpdateApp(func(a *model.Application) { a.AllowPublicSignup = true })
	f.send(magiclink.MagicLinkSend{Email: "new@example.com"})
	tok, err := f.redeem(f.lastLink("new@example.com").Query().Get("code"), nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.Store.GetUserBy(f.Ctx, f.Boot.TenantID, storage.UserByEmail, "new@example.com")
	if err != nil || u.EmailVerifiedAt == nil || f.IDClaims(tok.IDToken)["sub"] != u.ID {
		t.Fatalf("signed-up user missing or unverified: %+v %v", u, err)
	}
}

func TestMagicLinkInactiveUserAndMissingEmail(t *testing.T) {
	f := newMLFixture(t)
	u := f.user("gus@example.com")
	_ = f.Store.UpdateUser(f.Ctx, f.Boot.TenantID, u.ID, func(u model.User) (model.User, error) {
		u.Status = model.UserDisabled
		return u, nil
	})
	_, err := f.links.SendMagicLink(f.Ctx, f.Caller, magiclink.MagicLinkSend{Email: "gus@example.com", RedirectURI: mlRedirect})
	wantFault(t, err, fault.CodeUserNotActive)

	now := f.Clock.Now()
	phoneOnly := model.User{ID: model.NewID(), TenantID: f.Boot.TenantID, PhoneNumber: "+14155550100", Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := f.Store.CreateUser(f.Ctx, phoneOnly); err != nil {
		t.Fatal(err)
	}
	_ = f.Store.LinkUser(f.Ctx, model.AppUser{TenantID: f.Boot.TenantID, AppID: f.Boot.AppID, UserID: phoneOnly.ID, CreatedAt: now})
	_, err = f.links.SendMagicLink(f.Ctx, f.Caller, magiclink.MagicLinkSend{IdentifierType: "user_id", Identifier: phoneOnly.ID, RedirectURI: mlRedirect})
	wantFault(t, err, fault.CodeEmailMissing)
}

func TestMagicLinkLinksPerUser(t *testing.T) {
	f := newMLFixture(t)
	f.user("hal@example.com")
	f.UpdateApp(func(a *model.Application) { a.Preferences.MagicLink.LinksPerUser = 2 })
	f.send(magiclink.MagicLinkSend{Email: "hal@example.com"})
	f.send(magiclink.MagicLinkSend{Email: "hal@example.com"})
	f.Clock.Advance(10 * time.Second)
	_, err := f.links.SendMagicLink(f.Ctx, f.Caller, magiclink.MagicLinkSend{Email: "hal@example.com", RedirectURI: mlRedirect})
	fe := wantFault(t, err, fault.CodeRateLimited)
	if fe.Kind != fault.RateLimited || fe.RetryAfter <= 0 || fe.RetryAfter > 50*time.Second {
		t.Fatalf("retry after %v, want the rest of the minute", fe.RetryAfter)
	}
	// Another user is not affected, and the limit ends with its minute.
	f.user("ida@example.com")
	f.send(magiclink.MagicLinkSend{Email: "ida@example.com"})
	f.Clock.Advance(time.Minute)
	f.send(magiclink.MagicLinkSend{Email: "hal@example.com"})
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// With public sign-up and enumeration protection, an unknown username or phone number (which
// cannot sign up by link) and a known user without an email address get the answer a known
// user gets, not an error that would tell them apart.
func TestMagicLinkSignupHidesUsers(t *testing.T) {
	f := newMLFixture(t)
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection, a.AllowPublicSignup = true, true })
	f.user("known@example.com")
	now := f.Clock.Now()
	phoneOnly := model.User{ID: model.NewID(), TenantID: f.Boot.TenantID, PhoneNumber: "+14155550199", Username: "phoneonly",
		Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := f.Store.CreateUser(f.Ctx, phoneOnly); err != nil {
		t.Fatal(err)
	}
	if err := f.Store.LinkUser(f.Ctx, model.AppUser{TenantID: f.Boot.TenantID, AppID: f.Boot.AppID, UserID: phoneOnly.ID, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	want := f.send(magiclink.MagicLinkSend{IdentifierType: "email", Identifier: "known@example.com"})
	for _, req := range []magiclink.MagicLinkSend{
		{IdentifierType: "username", Identifier: "nobody"},
		{IdentifierType: "phone_number", Identifier: "+14155550123"},
		{IdentifierType: "username", Identifier: "phoneonly"},
	} {
		req.RedirectURI = mlRedirect
		got, err := f.links.SendMagicLink(f.Ctx, f.Caller, req)
		if err != nil || got.Message != want.Message || got.Link != "" {
			t.Errorf("%s %s: %+v, %v; want the answer a known user gets, %+v", req.IdentifierType, req.Identifier, got, err, want)
		}
	}
}
