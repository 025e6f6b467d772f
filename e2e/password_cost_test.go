package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/latchkey/latchkey/internal/model"
)

// TestPasswordImportCostCapE2E: an imported hash whose verification would cost many times a
// hash of the server's own (argon2id at 256 MiB and 64 passes: seconds per login) is refused
// with a 400 that names the field and the limit, so that no tenant can make its logins occupy
// the shared hashing workers.
func TestPasswordImportCostCapE2E(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		b64 := base64.RawStdEncoding.EncodeToString
		heavy := fmt.Sprintf("$argon2id$v=19$m=262144,t=64,p=1$%s$%s", b64([]byte("0123456789abcdef")), b64(make([]byte, 32)))
		res := e.do("POST", "/cis/v1/users", tok, map[string]any{"email": "heavy@example.com", "credentials": map[string]any{"password_hash": heavy}})
		wantStatus(t, res, 400, "system_invalid_input")
		if msg := messages(t, res); !strings.Contains(msg, "credentials.password_hash") || !strings.Contains(msg, "at most") {
			t.Fatalf("message %q does not name the field and the limit", msg)
		}
	})
}

// TestPasswordStoredCostlyHashE2E: a costly hash stored before the limit existed is not
// computed at login. Even the right password is answered as a wrong one would be, and the
// hash stays as it was (the user resets their password).
func TestPasswordStoredCostlyHashE2E(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		cheap, err := bcrypt.GenerateFromPassword([]byte("legacy secret"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		userID := e.pwdCreateUser(tok, "old@example.com", "", map[string]any{"password_hash": string(cheap)})
		costly, err := bcrypt.GenerateFromPassword([]byte("legacy secret"), 13)
		if err != nil {
			t.Fatal(err)
		}
		cred := e.storedPassword(userID)
		err = e.store.UpdateCredential(context.Background(), e.boot.TenantID, cred.ID, func(c model.Credential) (model.Credential, error) {
			c.Secret = costly
			return c, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, e.pwdLogin(tok, "email", "old@example.com", "legacy secret", nil), 400, "auth_invalid_credentials")
		if got := string(e.storedPassword(userID).Secret); got != string(costly) {
			t.Fatalf("stored hash = %q, want it left as it was", got)
		}
	})
}
