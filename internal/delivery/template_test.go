package delivery

import (
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

func TestRenderOTPEmail(t *testing.T) {
	subject, text, html, err := RenderOTPEmail(OTPEmail{AppName: "Acme", Code: "482913", ExpiresInMinutes: 5})
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Your Acme sign-in code" {
		t.Errorf("subject = %q", subject)
	}
	if strings.Contains(subject, "482913") {
		t.Error("default subject contains the code")
	}
	for _, part := range []struct{ name, body string }{{"text", text}, {"html", html}} {
		if !strings.Contains(part.body, "482913") {
			t.Errorf("%s part lacks the code:\n%s", part.name, part.body)
		}
		if !strings.Contains(part.body, "5 minutes") {
			t.Errorf("%s part lacks the expiry:\n%s", part.name, part.body)
		}
	}
	if strings.Contains(text, "<") {
		t.Errorf("text part contains markup:\n%s", text)
	}
	if !strings.Contains(html, "border-top:4px solid "+DefaultPrimaryColor) {
		t.Error("HTML lacks the default colour")
	}
}

func TestRenderOTPEmailEscapesAppName(t *testing.T) {
	name := `<script>alert("x")</script>`
	subject, text, html, err := RenderOTPEmail(OTPEmail{AppName: name, Code: "123456"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<script>") {
		t.Errorf("HTML contains the unescaped app name:\n%s", html)
	}
	if !strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("HTML lacks the escaped app name:\n%s", html)
	}
	// The text part and subject are plain text: no escaping, so the name reads as typed.
	if !strings.Contains(text, name) || !strings.Contains(subject, name) {
		t.Errorf("text part or subject altered the app name: %q\n%s", subject, text)
	}
}

func TestRenderOTPEmailBranding(t *testing.T) {
	b := model.MessageBranding{Subject: "Acme login\r\nBcc: victim@example.com", PrimaryColor: "#FF8800"}
	subject, _, html, err := RenderOTPEmail(OTPEmail{AppName: "Acme", Code: "1234", Branding: b})
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Acme login  Bcc: victim@example.com" {
		t.Errorf("subject = %q; want the override on one line", subject)
	}
	if !strings.Contains(html, "solid #ff8800") {
		t.Errorf("HTML lacks the branded colour")
	}
	if strings.Contains(html, DefaultPrimaryColor) {
		t.Errorf("HTML still uses the default colour")
	}
}

func TestRenderOTPEmailIgnoresBadColour(t *testing.T) {
	for _, bad := range []string{"red;background:url(https://evil.example/x)", "#12345", "expression(alert(1))", "#ggg", "12ab56"} {
		_, _, html, err := RenderOTPEmail(OTPEmail{AppName: "Acme", Code: "1234",
			Branding: model.MessageBranding{PrimaryColor: bad}})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(html, "evil.example") || strings.Contains(html, "expression(") || strings.Contains(html, "ZgotmplZ") {
			t.Errorf("colour %q leaked into the HTML", bad)
		}
		if !strings.Contains(html, "solid "+DefaultPrimaryColor) {
			t.Errorf("colour %q did not fall back to the default", bad)
		}
	}
}

func TestRenderOTPEmailRequiresFields(t *testing.T) {
	if _, _, _, err := RenderOTPEmail(OTPEmail{AppName: "Acme"}); err == nil {
		t.Error("no error without a code")
	}
	if _, _, _, err := RenderOTPEmail(OTPEmail{Code: "1234"}); err == nil {
		t.Error("no error without an app name")
	}
}

func TestRenderMagicLinkEmail(t *testing.T) {
	const link = "https://app.example.com/magic?code=abc&state=x%20y"
	logo := "data:image/png;base64,iVBORw0KGgo="
	subject, text, html, err := RenderMagicLinkEmail(LinkEmail{AppName: "Acme", URL: link, ExpiresInMinutes: 15,
		LogoDataURI: logo, SenderName: "The Acme team", Branding: model.MessageBranding{PrimaryColor: "#fff"}})
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Sign in to Acme" {
		t.Errorf("subject = %q", subject)
	}
	if !strings.Contains(text, link) || !strings.Contains(text, "15 minutes") || !strings.Contains(text, "The Acme team") {
		t.Errorf("text part incomplete:\n%s", text)
	}
	if !strings.Contains(html, `href="https://app.example.com/magic?code=abc&amp;state=x%20y"`) {
		t.Errorf("HTML lacks the link:\n%s", html)
	}
	if !strings.Contains(html, `src="`+logo+`"`) {
		t.Errorf("HTML lacks the logo")
	}
	if !strings.Contains(html, "color:#111827;text-decoration:none") {
		t.Errorf("button on a white background does not use dark text")
	}
}

func TestRenderMagicLinkEmailCustomTexts(t *testing.T) {
	d := LinkEmail{AppName: "Acme", URL: "https://a.example/x", HeaderText: "Welcome <back>", BodyText: "Tap below.",
		LinkText: "Open Acme", InfoText: "Valid once.", FooterText: "Acme Inc, 1 Main St"}
	_, text, html, err := RenderMagicLinkEmail(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Welcome &lt;back&gt;", "Tap below.", "Open Acme", "Valid once.", "Acme Inc, 1 Main St"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if !strings.Contains(text, "Open Acme: https://a.example/x") {
		t.Errorf("text part lacks the link line:\n%s", text)
	}
}

func TestRenderMagicLinkEmailRejectsUnsafeInput(t *testing.T) {
	for _, u := range []string{"javascript:alert(1)", "/relative", "ftp://x.example/", "https://"} {
		if _, _, _, err := RenderMagicLinkEmail(LinkEmail{AppName: "Acme", URL: u}); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
	for _, logo := range []string{
		"https://evil.example/logo.png",
		"data:text/html;base64,PHNjcmlwdD4=",
		`data:image/png;base64,AAAA" onerror="alert(1)`,
		"javascript:alert(1)",
	} {
		_, _, html, err := RenderMagicLinkEmail(LinkEmail{AppName: "Acme", URL: "https://a.example/", LogoDataURI: logo})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(html, "<img") {
			t.Errorf("logo %q was placed in the HTML", logo)
		}
	}
}
