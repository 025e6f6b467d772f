package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// TestProcessBackup: `latchkey backup FILE` copies the SQLite database of a running server while
// another client keeps creating users through it, and a second server started on the copy,
// with the deployment's master key, signs the user in with their password. On PostgreSQL the
// command refuses and points to pg_dump.
func TestProcessBackup(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		st := sqliteStore(t)
		cheap := map[string]string{"LATCHKEY_PASSWORD_HASH": "m=256,t=1,p=1"}
		srv := startLatchkeyServer(t, st, "", cheap)
		boot := srv.waitBootstrap()
		tok := srv.token(boot.ClientID, boot.ClientSecret)
		wantStatus(t, srv.do("POST", "/cis/v1/users", tok, map[string]any{
			"email": "ada@example.com", "credentials": map[string]any{"password": pwdGood, "force_replace": false},
		}), 201, "")

		var created atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := postUser(srv.url, tok, fmt.Sprintf("w%d@example.com", i)); err != nil {
					t.Errorf("a write while the backup ran: %v", err)
					return
				}
				created.Add(1)
			}
		}()
		pollUntil(t, processWait, "writes before the backup", func() bool { return created.Load() >= 5 })
		before := created.Load()
		dest := filepath.Join(t.TempDir(), "copy.db")
		res := runLatchkey(t, st, nil, "backup", dest)
		close(stop)
		wg.Wait()
		if res.code != 0 || !strings.Contains(res.stdout, "backed up") {
			t.Fatalf("latchkey backup: status %d, stdout %q, stderr:\n%s", res.code, res.stdout, res.stderr)
		}
		if created.Load() == before {
			t.Fatalf("no user was created while the backup ran; the test proves nothing")
		}
		// The live server went on serving throughout.
		wantStatus(t, srv.do("POST", "/cis/v1/auth/password/authenticate", tok, map[string]any{
			"username_type": "email", "username": "ada@example.com", "password": pwdGood}), 200, "")

		key, err := os.ReadFile(st.masterKeyFile())
		if err != nil {
			t.Fatal(err)
		}
		restored := procStore{home: t.TempDir(), database: dest}
		env := map[string]string{"LATCHKEY_MASTER_KEY": strings.TrimSpace(string(key)), "LATCHKEY_PASSWORD_HASH": "m=256,t=1,p=1"}
		srv2 := startLatchkeyServer(t, restored, "", env)
		tok2 := srv2.token(boot.ClientID, boot.ClientSecret)
		wantStatus(t, srv2.do("POST", "/cis/v1/auth/password/authenticate", tok2, map[string]any{
			"username_type": "email", "username": "ada@example.com", "password": pwdGood}), 200, "")
		wantStatus(t, srv2.do("POST", "/cis/v1/auth/password/authenticate", tok2, map[string]any{
			"username_type": "email", "username": "ada@example.com", "password": pwdOther}), 400, "auth_invalid_credentials")

		res = runLatchkey(t, st, nil, "backup", dest)
		if res.code == 0 || !strings.Contains(res.stderr, "already exists") {
			t.Fatalf("a backup over an existing file: status %d, stderr:\n%s", res.code, res.stderr)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		st := procStore{home: t.TempDir(), database: sqlstore.TestPostgresDSN(t), postgres: true}
		res := runLatchkey(t, st, nil, "backup", filepath.Join(t.TempDir(), "copy.db"))
		if res.code != 1 || !strings.Contains(res.stderr, "pg_dump") {
			t.Fatalf("latchkey backup on PostgreSQL: status %d, stderr:\n%s", res.code, res.stderr)
		}
	})
}

// postUser creates a user through a server without failing the test, for use off the test's
// goroutine.
func postUser(base, token, email string) error {
	body, _ := json.Marshal(map[string]any{"email": email})
	req, err := http.NewRequest("POST", base+"/cis/v1/users", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := processHTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("create user: status %d", res.StatusCode)
	}
	return nil
}
