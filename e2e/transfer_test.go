package e2e

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
	"github.com/latchkey/latchkey/internal/transfer"
)

// movedUser is a user with every kind of credential, as the source server made them.
type movedUser struct {
	id, email string
	totp      totpEnrolment
	recovery  []string
	passkey   *passkeytest.Authenticator
}

// newTransferSource starts a SQLite server with two users: one with a password, a confirmed
// TOTP key, recovery codes and a passkey, and one with a profile and nothing to sign in with.
// It returns the server, the first user and the tenant's export.
func newTransferSource(t *testing.T) (*env, movedUser, []byte) {
	t.Helper()
	src := newEnv(t, envOptions{})
	tok := src.appToken()
	src.enableWebAuthn(src.boot.AppID, nil)
	u := movedUser{email: "ada@example.com", passkey: passkeytest.New(waOrigin)}
	u.id = src.pwdCreateUser(tok, u.email, "ada", map[string]any{"password": pwdGood, "force_replace": false})
	u.totp = src.enrolConfirmedTOTP(tok, u.id)
	u.recovery = src.recoveryCodes(tok, u.id)
	wantStatus(t, src.registerPasskey(tok, map[string]any{"user_id": u.id}, nil, u.passkey), 200, "")
	src.createUser(tok, "bob@example.com")

	var out bytes.Buffer
	n, err := transfer.Export(context.Background(), src.store, src.keys, src.boot.TenantID, &out)
	if err != nil || n != 2 {
		t.Fatalf("export: %d users, %v", n, err)
	}
	if lines := strings.Count(out.String(), "\n"); lines != 2 {
		t.Fatalf("export has %d lines, want one per user:\n%s", lines, out.String())
	}
	// The TOTP key travels opened, so that another master key can seal it again.
	if !strings.Contains(out.String(), u.totp["secret"].(string)) {
		t.Fatalf("the export does not carry the TOTP key opened")
	}
	return src, u, out.Bytes()
}

// The users of a SQLite deployment move into a PostgreSQL one with another master key: they sign
// in there with their password, their TOTP key (sealed again under the new key) and their
// passkey, whose stored fields survive unchanged. Recovery codes, keyed by the old master key,
// are refused until the operator agrees to drop them, and the refusal stores nothing.
func TestUsersMoveFromSQLiteToPostgres(t *testing.T) {
	src, u, data := newTransferSource(t)
	dst := newEnv(t, envOptions{postgres: true})
	dst.enableWebAuthn(dst.boot.AppID, nil)
	ctx := context.Background()

	_, err := transfer.Import(ctx, dst.store, dst.keys, dst.boot.TenantID, bytes.NewReader(data), transfer.ImportOptions{})
	var le *transfer.LineError
	if !errors.As(err, &le) || le.Line != 1 || !strings.Contains(err.Error(), "--drop-recovery-codes") {
		t.Fatalf("import of recovery codes under another master key: %v, want a refusal of line 1 naming --drop-recovery-codes", err)
	}
	if _, n, _ := dst.store.ListUsers(ctx, model.UserQuery{TenantID: dst.boot.TenantID, Limit: 1}); n != 0 {
		t.Fatalf("a refused import stored %d users", n)
	}

	res, err := transfer.Import(ctx, dst.store, dst.keys, dst.boot.TenantID, bytes.NewReader(data), transfer.ImportOptions{DropRecoveryCodes: true})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res.Users != 2 || res.DroppedRecoveryCodes != len(u.recovery) || res.Credentials != 3 {
		t.Fatalf("import result %+v, want 2 users, 3 credentials and %d dropped recovery codes", res, len(u.recovery))
	}

	tok := dst.appToken()
	got := result(t, dst.do("GET", "/cis/v1/users/"+u.id, tok, nil))
	if email, _ := got["email"].(map[string]any); email["value"] != u.email || got["username"] != "ada" {
		t.Fatalf("imported user as the users API shows it: %v", got)
	}
	wantStatus(t, dst.pwdLogin(tok, "email", u.email, pwdGood, nil), 200, "")
	wantStatus(t, dst.pwdLogin(tok, "email", u.email, pwdOther, nil), 400, "auth_invalid_credentials")
	// The source accepted a code of its current step at confirmation; the next login needs a
	// later one.
	dst.clock.Advance(2 * totpPeriod(u.totp))
	wantStatus(t, dst.totpLogin(tok, u.email, dst.totpCode(u.totp, 0), nil), 200, "")
	if res := dst.recoveryLogin(tok, u.email, u.recovery[0]); res.Status == 200 {
		t.Fatalf("a dropped recovery code signed in")
	}

	before := onePasskey(t, src, u.id)
	after := onePasskey(t, dst, u.id)
	if after.ID != before.ID || after.LookupKey != before.LookupKey || after.RPID != before.RPID || after.RPID != waRPID ||
		after.Name != before.Name || !bytes.Equal(after.Data, before.Data) || !after.CreatedAt.Equal(before.CreatedAt) {
		t.Fatalf("passkey changed in the move:\nbefore %+v\nafter  %+v", before, after)
	}
	if before.AppID != src.boot.AppID || after.AppID != dst.boot.AppID {
		t.Fatalf("passkey application %q on the source and %q on the target, want each side's demo application", before.AppID, after.AppID)
	}
	wantStatus(t, dst.passkeyLogin(tok, u.email, u.passkey, nil), 200, "")

	// Bob came with his link to the demo application and nothing to sign in with.
	bob, err := dst.store.GetUserBy(ctx, dst.boot.TenantID, "email", "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.store.GetAppUser(ctx, dst.boot.TenantID, dst.boot.AppID, bob.ID); err != nil || bob.Name.FirstName != "Ada" {
		t.Fatalf("bob after the move: %+v, link: %v", bob, err)
	}
}

// Under the master key they were exported with, recovery codes carry over and sign in; the
// same file imported twice is refused on its first line and changes nothing.
func TestUsersImportUnderTheSameKeyKeepsRecoveryCodes(t *testing.T) {
	src, u, data := newTransferSource(t)
	dst := newEnv(t, envOptions{masterKey: src.master})
	ctx := context.Background()
	res, err := transfer.Import(ctx, dst.store, dst.keys, dst.boot.TenantID, bytes.NewReader(data), transfer.ImportOptions{})
	if err != nil || res.Credentials != 3+len(u.recovery) || res.DroppedRecoveryCodes != 0 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	tok := dst.appToken()
	wantStatus(t, dst.recoveryLogin(tok, u.email, u.recovery[0]), 200, "")
	if left := dst.recoveryRemaining(tok, u.id); int(left) != len(u.recovery)-1 {
		t.Fatalf("%v recovery codes left, want %d", left, len(u.recovery)-1)
	}

	_, err = transfer.Import(ctx, dst.store, dst.keys, dst.boot.TenantID, bytes.NewReader(data), transfer.ImportOptions{})
	var le *transfer.LineError
	if !errors.As(err, &le) || le.Line != 1 || !strings.Contains(err.Error(), "imported once") {
		t.Fatalf("second import: %v, want a refusal of line 1", err)
	}
	if left := dst.recoveryRemaining(tok, u.id); int(left) != len(u.recovery)-1 {
		t.Fatalf("the refused import changed the recovery codes: %v left", left)
	}
}

func onePasskey(t *testing.T, e *env, userID string) model.Credential {
	t.Helper()
	list, err := e.store.ListCredentials(context.Background(), e.boot.TenantID, userID, model.CredentialWebAuthn)
	if err != nil || len(list) != 1 {
		t.Fatalf("passkeys of %s: %d, %v", userID, len(list), err)
	}
	return list[0]
}
