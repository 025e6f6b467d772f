package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// pgTools returns the paths of pg_dump, pg_restore and psql. Without them the test skips, and
// in CI, which installs them, fails.
func pgTools(t *testing.T) (dump, restore, psql string) {
	t.Helper()
	var paths [3]string
	for i, name := range []string{"pg_dump", "pg_restore", "psql"} {
		p, err := exec.LookPath(name)
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed; CI needs the PostgreSQL client tools", name)
			}
			t.Skipf("%s is not installed", name)
		}
		paths[i] = p
	}
	return paths[0], paths[1], paths[2]
}

func runTool(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, out)
	}
}

// TestPostgresBackupWithPgDump follows the backup and restore that docs/operations.md gives for
// PostgreSQL: pg_dump of the deployment's schema, pg_restore into a new database, and a server
// on the restored copy, with the deployment's master key, signs a user in with their password.
func TestPostgresBackupWithPgDump(t *testing.T) {
	dsn := sqlstore.TestPostgresDSN(t)
	pgDump, pgRestore, psql := pgTools(t)
	src := newEnv(t, envOptions{database: dsn})
	tok := src.appToken()
	src.pwdCreateUser(tok, "ada@example.com", "ada", map[string]any{"password": pwdGood, "force_replace": false})

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	server := os.Getenv(sqlstore.PostgresDSNEnv) // a libpq URL: the tools take it as it is
	dump := filepath.Join(t.TempDir(), "latchkey.dump")
	runTool(t, pgDump, "--format=custom", "--schema="+schema, "--file="+dump, server)

	var b [6]byte
	_, _ = rand.Read(b[:])
	db := "lk_restore_" + hex.EncodeToString(b[:])
	runTool(t, psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--command=CREATE DATABASE "+db, server)
	t.Cleanup(func() {
		out, err := exec.Command(psql, "--no-psqlrc", "--quiet", "--command=DROP DATABASE IF EXISTS "+db+" WITH (FORCE)", server).CombinedOutput()
		if err != nil {
			t.Errorf("drop %s: %v\n%s", db, err, out)
		}
	})
	target, _ := url.Parse(server)
	target.Path = "/" + db
	runTool(t, pgRestore, "--no-owner", "--exit-on-error", "--dbname="+target.String(), dump)

	q := target.Query()
	q.Set("search_path", schema)
	target.RawQuery = q.Encode()
	dst := newEnv(t, envOptions{database: target.String(), masterKey: src.master})
	// The restored tenant is the source's: its client secrets are the source's too.
	dst.boot = src.boot
	wantStatus(t, dst.pwdLogin(dst.appToken(), "email", "ada@example.com", pwdGood, nil), 200, "")
	wantStatus(t, dst.pwdLogin(dst.appToken(), "email", "ada@example.com", pwdOther, nil), 400, "auth_invalid_credentials")
}
