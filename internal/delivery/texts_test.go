package delivery

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every built-in language has every text, and uses only the placeholders each text may hold
// (BuiltinTexts would panic otherwise).
func TestBuiltinLanguagesAreComplete(t *testing.T) {
	texts := BuiltinTexts()
	if got := texts.Languages(); !slices.Equal(got, []string{"de", "en", "es", "fr"}) {
		t.Fatalf("languages %v", got)
	}
	for _, lang := range texts.Languages() {
		for key := range textKeys {
			if texts.langs[lang][key] == "" {
				t.Errorf("%s has no %s", lang, key)
			}
		}
		for key := range texts.langs[lang] {
			if _, ok := textKeys[key]; !ok {
				t.Errorf("%s has the unknown text %s", lang, key)
			}
		}
	}
}

func TestMessagesInTheUsersLanguage(t *testing.T) {
	texts := BuiltinTexts()
	for _, tc := range []struct {
		lang, subject, expiry string
	}{
		{"de", "Ihr Anmeldecode für Acme", "Dieser Code läuft in 5 Minuten ab."},
		{"de-CH", "Ihr Anmeldecode für Acme", "läuft in 5 Minuten ab"},
		{"fr", "Votre code de connexion Acme", "Ce code expire dans 5 minutes."},
		{"es_ES", "Tu código de acceso a Acme", "Este código caduca en 5 minutos."},
		{"xx", "Your Acme sign-in code", "This code expires in 5 minutes."},
		{"", "Your Acme sign-in code", "This code expires in 5 minutes."},
	} {
		lang := texts.Choose(tc.lang)
		subject, text, html, err := RenderOTPEmail(OTPEmail{Texts: texts, Language: lang, AppName: "Acme", Code: "482913", ExpiresInMinutes: 5})
		if err != nil {
			t.Fatal(err)
		}
		if subject != tc.subject || !strings.Contains(text, tc.expiry) || !strings.Contains(html, `<html lang="`+lang+`">`) {
			t.Errorf("%q: subject %q, text %q, html lang %v", tc.lang, subject, text, strings.Contains(html, `lang="`+lang+`"`))
		}
	}
	sms, _ := RenderOTPSMS(OTPSMS{Texts: texts, Language: "fr", AppName: "Acme", Code: "482913", ExpiresInMinutes: 1})
	if sms != "482913 est votre code Acme. Il expire dans 1 minute." {
		t.Errorf("SMS %q", sms)
	}
	subject, text, _, _ := RenderMagicLinkEmail(LinkEmail{Texts: texts, Language: "es", AppName: "Acme", URL: "https://acme.example/in", ExpiresInMinutes: 15})
	if subject != "Inicia sesión en Acme" || !strings.Contains(text, "Iniciar sesión: https://acme.example/in") {
		t.Errorf("link email: %q\n%s", subject, text)
	}
	subject, text, _, _ = RenderResetEmail(ResetMessage{Texts: texts, Language: "de", AppName: "Acme", Code: "123456", ExpiresInMinutes: 10})
	if subject != "Passwort für Acme zurücksetzen" || !strings.Contains(text, "123456") || !strings.Contains(text, "Er läuft in 10 Minuten ab.") {
		t.Errorf("reset email: %q\n%s", subject, text)
	}
	if got := RenderResetSMS(ResetMessage{Texts: texts, Language: "en", AppName: "Acme", URL: "https://acme.example/r", ExpiresInMinutes: 10}); got != "Reset your Acme password: https://acme.example/r It expires in 10 minutes." {
		t.Errorf("reset SMS %q", got)
	}
	// The tenant's default applies when the user's language is not spoken.
	if got := texts.Choose("ja", "fr-CA"); got != "fr" {
		t.Errorf("Choose(ja, fr-CA) = %q, want fr", got)
	}
}

// An operator's files change texts and add languages; a language of their own falls back to
// English for what they leave out. Typos stop the load, naming the file and the text.
func TestOperatorTexts(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("en.yaml", "otp.subject: \"{app}: your code\"\n")
	write("pt-BR.yaml", "otp.heading: \"Seu código de acesso\"\nminutes.other: \"{n} minutos\"\n")
	texts, err := LoadTexts(dir)
	if err != nil {
		t.Fatal(err)
	}
	subject, text, _, err := RenderOTPEmail(OTPEmail{Texts: texts, Language: texts.Choose("en"), AppName: "Acme", Code: "1", ExpiresInMinutes: 3})
	if err != nil || subject != "Acme: your code" || !strings.Contains(text, "Your sign-in code") {
		t.Fatalf("overridden English: %q\n%s (%v)", subject, text, err)
	}
	lang := texts.Choose("pt-br")
	_, text, _, _ = RenderOTPEmail(OTPEmail{Texts: texts, Language: lang, AppName: "Acme", Code: "1", ExpiresInMinutes: 3})
	if lang != "pt-br" || !strings.Contains(text, "Seu código de acesso") || !strings.Contains(text, "3 minutos") || !strings.Contains(text, "Enter this code") {
		t.Fatalf("added language %q:\n%s", lang, text)
	}
	// The built-in catalogs are untouched by another load.
	if s, _, _, _ := RenderOTPEmail(OTPEmail{AppName: "Acme", Code: "1"}); s != "Your Acme sign-in code" {
		t.Fatalf("the built-in texts changed: %q", s)
	}

	for name, tc := range map[string]struct{ file, body, want string }{
		"unknown text":    {"en.yaml", "otp.subjet: x\n", `no text is named "otp.subjet"`},
		"bad placeholder": {"en.yaml", "otp.subject: \"{code} for {app}\"\n", "otp.subject may not hold {code}"},
		"bad file name":   {"english.yaml", "otp.subject: x\n", "is not a language tag"},
		"not a mapping":   {"en.yaml", "- x\n", "en.yaml"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadTexts(dir); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := LoadTexts(t.TempDir()); err == nil {
		t.Fatal("an empty texts directory was accepted")
	}
}
