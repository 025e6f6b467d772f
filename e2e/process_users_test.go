package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProcessUsersExportImport: `latchkey users export` writes a running deployment's users to
// an owner-only file, `latchkey users import` loads them into another deployment where they
// sign in with their password, and importing the file again is refused, naming the line.
func TestProcessUsersExportImport(t *testing.T) {
	t.Parallel()
	cheap := map[string]string{"LATCHKEY_PASSWORD_HASH": "m=256,t=1,p=1"}
	from := sqliteStore(t)
	srv := startLatchkeyServer(t, from, "", cheap)
	boot := srv.waitBootstrap()
	tok := srv.token(boot.ClientID, boot.ClientSecret)
	wantStatus(t, srv.do("POST", "/cis/v1/users", tok, map[string]any{
		"email": "ada@example.com", "credentials": map[string]any{"password": pwdGood, "force_replace": false},
	}), 201, "")

	file := filepath.Join(t.TempDir(), "users.jsonl")
	res := runLatchkey(t, from, nil, "users", "export", "--tenant", "default", "--output", file)
	if res.code != 0 || !strings.Contains(res.stdout, "exported 1 users") || !strings.Contains(res.stdout, "secret") {
		t.Fatalf("users export: status %d, stdout %q, stderr:\n%s", res.code, res.stdout, res.stderr)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v, %v; want mode 0600", info, err)
	}
	res = runLatchkey(t, from, nil, "users", "export", "--tenant", "nobody")
	if res.code != 1 || !strings.Contains(res.stderr, `no tenant is named "nobody"`) {
		t.Fatalf("export of a missing tenant: status %d, stderr:\n%s", res.code, res.stderr)
	}

	to := sqliteStore(t)
	srv2 := startLatchkeyServer(t, to, "", cheap)
	boot2 := srv2.waitBootstrap()
	res = runLatchkey(t, to, nil, "users", "import", file)
	if res.code != 0 || !strings.Contains(res.stdout, "imported 1 users (1 application links, 1 credentials)") {
		t.Fatalf("users import: status %d, stdout %q, stderr:\n%s", res.code, res.stdout, res.stderr)
	}
	tok2 := srv2.token(boot2.ClientID, boot2.ClientSecret)
	wantStatus(t, srv2.do("POST", "/cis/v1/auth/password/authenticate", tok2, map[string]any{
		"username_type": "email", "username": "ada@example.com", "password": pwdGood}), 200, "")

	res = runLatchkey(t, to, nil, "users", "import", file)
	if res.code != 1 || !strings.Contains(res.stderr, "nothing was imported: line 1:") {
		t.Fatalf("second import: status %d, stderr:\n%s", res.code, res.stderr)
	}
}
