package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Sign-in messages are written in the user's language, else in the tenant's default; a
// default Latchkey cannot write in is refused.
func TestMessagesInTheUsersLanguage(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok, admin := e.appToken(), e.adminToken()
		for _, u := range []map[string]any{
			{"email": "hans@example.com", "language": "de-AT"},
			{"email": "ana@example.com", "language": "ja"}, // not spoken: the tenant's default
			{"email": "sam@example.com"},
		} {
			wantStatus(t, e.do("POST", "/cis/v1/users", tok, u), 201, "")
		}
		subject := func(email string, already int) string {
			t.Helper()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			msgs, err := e.mail.WaitFor(ctx, email, already+1)
			if err != nil {
				t.Fatalf("no email to %s: %v", email, err)
			}
			m := msgs[len(msgs)-1]
			if !strings.Contains(m.HTML, "<html lang=") {
				t.Fatalf("email to %s declares no language", email)
			}
			return m.Subject
		}
		send := func(email string) {
			t.Helper()
			wantStatus(t, e.do("POST", "/cis/v1/auth/otp/send", tok, map[string]any{"channel": "email", "identifier_type": "email", "identifier": email}), 200, "")
		}
		send("hans@example.com")
		send("ana@example.com")
		if got := subject("hans@example.com", 0); !strings.HasPrefix(got, "Ihr Anmeldecode für") {
			t.Errorf("German user's subject %q", got)
		}
		if got := subject("ana@example.com", 0); !strings.HasPrefix(got, "Your ") {
			t.Errorf("before a tenant default, a user in an unspoken language got %q", got)
		}

		res := e.do("PUT", "/cis/v1/tenant", admin, map[string]any{"default_language": "fr"})
		wantStatus(t, res, 200, "")
		result := res.JSON(t)["result"].(map[string]any)
		if result["default_language"] != "fr" || !strings.Contains(strings.Join(stringsOf(result["languages"]), ","), "es") {
			t.Fatalf("tenant after the update: %v", result)
		}
		send("ana@example.com")
		send("sam@example.com")
		if got := subject("ana@example.com", 1); !strings.HasPrefix(got, "Votre code de connexion") {
			t.Errorf("the tenant's default did not apply: %q", got)
		}
		if got := subject("sam@example.com", 0); !strings.HasPrefix(got, "Votre code de connexion") {
			t.Errorf("a user without a language: %q", got)
		}
		// A default Latchkey does not speak, or that is no language tag, changes nothing.
		for _, bad := range []string{"ja", "not a tag"} {
			wantStatus(t, e.do("PUT", "/cis/v1/tenant", admin, map[string]any{"default_language": bad}), 400, "system_invalid_input")
		}
		res = e.do("GET", "/cis/v1/tenant", admin, nil)
		wantStatus(t, res, 200, "")
		if got := res.JSON(t)["result"].(map[string]any)["default_language"]; got != "fr" {
			t.Fatalf("refused updates changed the default to %v", got)
		}
		// Only a management token reads or changes the tenant.
		wantStatus(t, e.do("GET", "/cis/v1/tenant", tok, nil), 403, "")
	})
}
