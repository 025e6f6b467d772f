package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// The process tests run the real latchkey binary as a child process, configured only through
// its environment, the way an operator runs it.

func TestProcessFirstStartBootstrapsOnce(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st procStore) {
		first := startLatchkeyServer(t, st, "", nil)
		boot := first.waitBootstrap()
		first.token(boot.ClientID, boot.ClientSecret)
		admin := first.token(boot.AdminClientID, boot.AdminClientSecret)
		wantStatus(t, first.do("GET", "/cis/v1/applications/"+boot.AppID, admin, nil), 200, "")
		if !strings.Contains(first.stdout.String(), first.url+"/oidc/token") {
			t.Fatalf("the bootstrap block does not show the token endpoint at the public URL:\n%s", first.stdout.String())
		}
		first.stop()

		info, err := os.Stat(st.masterKeyFile())
		if err != nil {
			t.Fatalf("no master key file was created: %v", err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Fatalf("master key file has mode %o, want 600", perm)
		}

		second := startLatchkeyServer(t, st, "", nil)
		tok := second.token(boot.ClientID, boot.ClientSecret)
		wantStatus(t, second.do("GET", "/cis/v1/users", tok, nil), 200, "")
		admin = second.token(boot.AdminClientID, boot.AdminClientSecret)
		wantStatus(t, second.do("GET", "/cis/v1/applications/"+boot.AppID, admin, nil), 200, "")
		second.stop()
		out := second.stdout.String()
		for _, secret := range []string{boot.AdminClientSecret, boot.ClientSecret, "client_secret", "lk_cs_"} {
			if strings.Contains(out, secret) {
				t.Fatalf("a second start printed %q:\n%s", secret, out)
			}
		}
	})
}

// initJSONKeys are the members of `latchkey init --json` output.
var initJSONKeys = []string{"admin_client_id", "admin_client_secret", "app_id", "client_id", "client_secret", "created", "tenant_id"}

// initJSON runs `latchkey init --json` with args and decodes its single JSON object.
func initJSON(t *testing.T, st procStore, args ...string) map[string]any {
	t.Helper()
	res := runLatchkey(t, st, nil, append([]string{"init", "--json"}, args...)...)
	if res.code != 0 {
		t.Fatalf("init %v exited with %d; stderr:\n%s", args, res.code, res.stderr)
	}
	dec := json.NewDecoder(strings.NewReader(res.stdout))
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("init --json printed no JSON object: %v\n%s", err, res.stdout)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Fatalf("init --json printed more than one JSON value:\n%s", res.stdout)
	}
	if n := bytes.Count([]byte(strings.TrimSpace(res.stdout)), []byte("\n")); n != 0 {
		t.Fatalf("init --json printed %d lines, want one:\n%s", n+1, res.stdout)
	}
	// A new tenant also gets the one-time link that sets up its first administrator.
	if _, has := obj["admin_setup_url"]; has != (obj["created"] == true) {
		t.Fatalf("init --json has admin_setup_url %v for created=%v", obj["admin_setup_url"], obj["created"])
	}
	var keys []string
	for k := range obj {
		if k != "admin_setup_url" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if !slices.Equal(keys, initJSONKeys) {
		t.Fatalf("init --json keys are %v, want %v", keys, initJSONKeys)
	}
	return obj
}

// mustString returns a string member of a decoded JSON object, failing the test when it is empty.
func mustString(t *testing.T, obj map[string]any, key string) string {
	t.Helper()
	s, _ := obj[key].(string)
	if s == "" {
		t.Fatalf("%s is empty in %v", key, obj)
	}
	return s
}

func TestProcessInitTenants(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st procStore) {
		def := initJSON(t, st)
		if def["created"] != true {
			t.Fatalf("init on a fresh database did not create the tenant: %v", def)
		}
		for _, k := range []string{"tenant_id", "admin_client_id", "admin_client_secret", "app_id", "client_id", "client_secret"} {
			mustString(t, def, k)
		}
		defAppID := mustString(t, def, "app_id")

		srv := startLatchkeyServer(t, st, "", nil)
		defAdmin := srv.token(mustString(t, def, "admin_client_id"), mustString(t, def, "admin_client_secret"))
		srv.token(mustString(t, def, "client_id"), mustString(t, def, "client_secret"))
		wantStatus(t, srv.do("GET", "/cis/v1/applications/"+defAppID, defAdmin, nil), 200, "")

		// A second tenant, created by another process while the server runs.
		acme := initJSON(t, st, "--tenant", "acme")
		if acme["created"] != true || acme["tenant_id"] == def["tenant_id"] {
			t.Fatalf("init --tenant acme did not create a new tenant: %v", acme)
		}
		acmeAdmin := srv.token(mustString(t, acme, "admin_client_id"), mustString(t, acme, "admin_client_secret"))
		acmeApp := srv.token(mustString(t, acme, "client_id"), mustString(t, acme, "client_secret"))
		wantStatus(t, srv.do("GET", "/cis/v1/users", acmeApp, nil), 200, "")
		wantStatus(t, srv.do("GET", "/cis/v1/applications/"+mustString(t, acme, "app_id"), acmeAdmin, nil), 200, "")
		wantStatus(t, srv.do("GET", "/cis/v1/applications/"+defAppID, acmeAdmin, nil), 404, "")

		again := initJSON(t, st, "--tenant", "acme")
		if again["created"] != false {
			t.Fatalf("a second init of acme says it created the tenant: %v", again)
		}
		for _, k := range []string{"tenant_id", "admin_client_id", "app_id", "client_id"} {
			if again[k] != acme[k] {
				t.Fatalf("a second init of acme returned %s %v, want %v", k, again[k], acme[k])
			}
		}
		if again["admin_client_secret"] != "" || again["client_secret"] != "" {
			t.Fatalf("a second init printed secrets without --rotate-secrets: %v", again)
		}

		rotated := initJSON(t, st, "--tenant", "acme", "--rotate-secrets")
		srv.token(mustString(t, rotated, "client_id"), mustString(t, rotated, "client_secret"))
		wantStatus(t, srv.tokenResponse(mustString(t, acme, "client_id"), mustString(t, acme, "client_secret")), 401, "invalid_client")

		srv.stop()
		if out := srv.stdout.String(); strings.Contains(out, "secret") {
			t.Fatalf("a server started on an initialised database printed secrets:\n%s", out)
		}
	})
}
