package e2e

import (
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
)

func TestProcessGracefulShutdown(t *testing.T) {
	t.Parallel()
	srv := startLatchkeyServer(t, sqliteStore(t), "", nil)
	health := srv.do("GET", "/healthz", "", nil)
	wantStatus(t, health, 200, "")
	ready := srv.do("GET", "/readyz", "", nil)
	wantStatus(t, ready, 200, "")
	if ct := ready.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("readyz Content-Type is %q, want application/json", ct)
	}
	if status := ready.JSON(t)["status"]; status != "ready" {
		t.Fatalf("readyz says %v, want ready: %s", status, ready.Body)
	}

	srv.signal(syscall.SIGTERM)
	if code := srv.wait(); code != 0 {
		t.Fatalf("latchkey exited with status %d after SIGTERM; stderr:\n%s", code, srv.stderr.String())
	}
	stopped := false
	for _, r := range srv.stderr.jsonLines(t) {
		stopped = stopped || r["msg"] == "stopped"
	}
	if !stopped {
		t.Fatalf("no \"stopped\" log line after SIGTERM; stderr:\n%s", srv.stderr.String())
	}
}

func TestProcessInvalidConfigurationListsEveryProblem(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want []string // each must appear in standard error
	}{
		{
			name: "production",
			env:  map[string]string{"LATCHKEY_MODE": "production", "LATCHKEY_PUBLIC_URL": "http://auth.example.com"},
			want: []string{"https", "master key", "SMTP URL"},
		},
		{
			name: "malformed",
			env: map[string]string{"LATCHKEY_LOG_LEVEL": "loud", "LATCHKEY_ACCESS_TOKEN_TTL": "soon",
				"LATCHKEY_SMTP_URL": "http://mail.example.com", "LATCHKEY_LISTEN": "nowhere"},
			want: []string{`"loud"`, "LATCHKEY_ACCESS_TOKEN_TTL", "SMTP URL", `"nowhere"`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st := sqliteStore(t)
			res := runLatchkey(t, st, c.env, "serve")
			if res.code == 0 {
				t.Fatalf("latchkey serve with an invalid configuration exited 0; stderr:\n%s", res.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("standard error does not name the problem with %s:\n%s", w, res.stderr)
				}
			}
			// Nothing is created before the configuration is known to be good.
			entries, err := os.ReadDir(st.home)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				t.Errorf("an invalid configuration left %s behind", e.Name())
			}
		})
	}
}

func TestProcessHelp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"Usage: latchkey", "serve", "init", "migrate", "keys", "backup", "users", "version"}},
		{[]string{"serve", "--help"}, []string{"Usage: latchkey serve", "-listen", "-public-url", "-database", "-master-key", "-smtp-url", "LATCHKEY_DATABASE"}},
		{[]string{"init", "--help"}, []string{"Usage: latchkey init", "-json", "-tenant", "-rotate-secrets", "-database"}},
		{[]string{"migrate", "--help"}, []string{"Usage: latchkey migrate", "-database"}},
		{[]string{"keys", "rotate", "--help"}, []string{"Usage: latchkey keys rotate", "-tenant", "-all", "-database"}},
		{[]string{"version", "--help"}, []string{"Usage: latchkey version"}},
		{[]string{"backup", "--help"}, []string{"Usage: latchkey backup", "FILE", "pg_dump", "master key", "-database"}},
		{[]string{"users", "export", "--help"}, []string{"Usage: latchkey users export", "SECRET", "-tenant", "-output"}},
		{[]string{"users", "import", "--help"}, []string{"Usage: latchkey users import", "-tenant", "-drop-recovery-codes", "one transaction"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel()
			st := sqliteStore(t)
			res := runLatchkey(t, st, nil, c.args...)
			if res.code != 0 {
				t.Fatalf("exit status %d, want 0; stderr:\n%s", res.code, res.stderr)
			}
			text := res.stdout + res.stderr
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("help does not mention %q:\n%s", w, text)
				}
			}
			if entries, _ := os.ReadDir(st.home); len(entries) != 0 {
				t.Errorf("asking for help created %s", entries[0].Name())
			}
		})
	}
}

// TestProcessHelpGoesToStandardOutput holds every command to what `latchkey --help` does:
// help that was asked for is the program's output, so it can be paged or searched.
func TestProcessHelpGoesToStandardOutput(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"init", "--help"}, {"migrate", "--help"}, {"keys", "rotate", "--help"}, {"version", "--help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			res := runLatchkey(t, sqliteStore(t), nil, args...)
			if res.code != 0 || !strings.Contains(res.stdout, "Usage: latchkey") {
				t.Fatalf("status %d, help on standard output %q, on standard error %q", res.code, res.stdout, res.stderr)
			}
		})
	}
}

func TestProcessJSONLogs(t *testing.T) {
	t.Parallel()
	// An SMTP server keeps email out of the process's output: without one, development prints
	// messages on standard output for a developer to read.
	smtp := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	srv := startLatchkeyServer(t, sqliteStore(t), "", map[string]string{
		"LATCHKEY_SMTP_URL": smtp.URL(), "LATCHKEY_LOG_LEVEL": "debug",
	})
	boot := srv.waitBootstrap()
	tok := srv.token(boot.ClientID, boot.ClientSecret)
	srv.createUser(tok, "log@example.com")
	srv.sendEmailOTP(tok, "log@example.com")
	waitSMTP(t, smtp, "log@example.com", 1)

	type exchange struct {
		path   string
		status int
		id     string
	}
	var seen []exchange
	for _, r := range []struct {
		method, path, bearer string
		status               int
	}{
		{"GET", "/healthz", "", 200},
		{"GET", "/no/such/route", "", 404},
		{"GET", "/cis/v1/users", "", 401},
		{"GET", "/cis/v1/users", tok, 200},
	} {
		res := srv.do(r.method, r.path, r.bearer, nil)
		wantStatus(t, res, r.status, "")
		id := res.Header.Get("X-Request-Id")
		if id == "" {
			t.Fatalf("%s %s: no X-Request-Id header", r.method, r.path)
		}
		for _, s := range seen {
			if s.id == id {
				t.Fatalf("two requests share the request id %s", id)
			}
		}
		seen = append(seen, exchange{r.path, r.status, id})
	}
	srv.stop()

	records := srv.stderr.jsonLines(t) // fails on any line that is not JSON
	if len(records) == 0 {
		t.Fatal("the server logged nothing")
	}
	for _, r := range records {
		if r["time"] == nil || r["level"] == nil || r["msg"] == nil {
			t.Fatalf("log record lacks time, level or msg: %v", r)
		}
	}
	for _, s := range seen {
		found := false
		for _, r := range records {
			if r["request_id"] == s.id && r["msg"] == "request" {
				found = true
				if r["path"] != s.path || r["status"] != float64(s.status) {
					t.Fatalf("request log for %s is %v, want path %s status %d", s.id, r, s.path, s.status)
				}
			}
		}
		if !found {
			t.Fatalf("no request log line with request_id %s (%s)", s.id, s.path)
		}
	}
}
