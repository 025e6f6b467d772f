package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// runCapture runs the command line in process and returns its exit status and output.
func runCapture(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUnknownCommand(t *testing.T) {
	code, _, stderr := runCapture(t, "frobnicate")
	if code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) || !strings.Contains(stderr, "Usage: latchkey") {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
}

func TestVersionPrintsTheBuild(t *testing.T) {
	code, stdout, _ := runCapture(t, "version")
	if code != 0 || strings.TrimSpace(stdout) != readBuildInfo().String() || !strings.HasPrefix(stdout, "latchkey ") {
		t.Fatalf("status %d, stdout %q", code, stdout)
	}
}

func TestDescribeBuild(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/latchkey/latchkey", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "3f2a9c0d5e"},
			{Key: "vcs.time", Value: "2026-01-05T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	cases := []struct {
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"", bi, "latchkey v1.4.0 revision 3f2a9c0d5e (2026-01-05T10:00:00Z, modified) go1.26.8"},
		{"v1.4.1-rc1", bi, "latchkey v1.4.1-rc1 revision 3f2a9c0d5e (2026-01-05T10:00:00Z, modified) go1.26.8"},
		{"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "latchkey devel go1.26.8"},
		{"", nil, "latchkey devel"},
	}
	for _, c := range cases {
		if got := describeBuild(c.stamped, c.bi).String(); got != c.want {
			t.Errorf("describeBuild(%q) = %q, want %q", c.stamped, got, c.want)
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"serve", "-h"}, {"init", "--help"}, {"migrate", "--help"}, {"keys", "--help"}, {"keys", "rotate", "--help"}, {"keys", "reseal", "--help"}, {"version", "--help"}} {
		code, stdout, stderr := runCapture(t, args...)
		if code != 0 || !strings.Contains(stdout+stderr, "Usage: latchkey") {
			t.Errorf("%v: status %d, output %q", args, code, stdout+stderr)
		}
	}
}

// Each command's help lists the flags it acts on, and a flag of another command is refused
// rather than silently ignored.
func TestCommandsOfferOnlyTheirOwnFlags(t *testing.T) {
	serveOnly := []string{"-listen", "-admin-listen", "-trusted-proxies", "-shutdown-timeout", "-smtp-url", "-access-token-ttl"}
	cases := []struct {
		args      []string
		want, not []string
	}{
		{[]string{"serve", "--help"}, append([]string{"-database", "-master-key", "-public-url"}, serveOnly...), []string{"-tenant", "-status", "-json"}},
		{[]string{"init", "--help"}, []string{"-json", "-tenant", "-rotate-secrets", "-admin-link", "-database", "-master-key-file", "-public-url"}, serveOnly},
		{[]string{"migrate", "--help"}, []string{"-database", "-status"}, append([]string{"-master-key", "-tenant"}, serveOnly...)},
		{[]string{"keys", "rotate", "--help"}, []string{"-tenant", "-all", "-algorithm", "-database", "-master-key"}, append([]string{"-public-url", "-json"}, serveOnly...)},
		{[]string{"keys", "reseal", "--help"}, []string{"-new-master-key-file", "-database", "-master-key"}, append([]string{"-tenant", "-public-url"}, serveOnly...)},
		{[]string{"health", "--help"}, []string{"-url", "-timeout"}, append([]string{"-database", "-master-key"}, serveOnly...)},
	}
	for _, c := range cases {
		code, stdout, stderr := runCapture(t, c.args...)
		if code != 0 {
			t.Errorf("%v: status %d, stderr %q", c.args, code, stderr)
			continue
		}
		flags := map[string]bool{}
		for _, line := range strings.Split(stdout, "\n") {
			if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(line, "  -") {
				flags[f[0]] = true
			}
		}
		for _, w := range c.want {
			if !flags[w] {
				t.Errorf("%v does not list %s:\n%s", c.args, w, stdout)
			}
		}
		for _, n := range c.not {
			if flags[n] {
				t.Errorf("%v lists %s, which it does not act on", c.args, n)
			}
		}
	}
	db := "--database=" + filepath.Join(t.TempDir(), "latchkey.db")
	for _, args := range [][]string{{"keys", "rotate", db, "--listen", "127.0.0.1:1"}, {"migrate", db, "--master-key", "x"}, {"init", db, "--smtp-url", "smtp://x"}} {
		if code, _, stderr := runCapture(t, args...); code == 0 || !strings.Contains(stderr, "flag provided but not defined") {
			t.Errorf("%v: status %d, stderr %q", args, code, stderr)
		}
	}
}

func TestKeysWithoutRotate(t *testing.T) {
	code, _, stderr := runCapture(t, "keys")
	if code == 0 || !strings.Contains(stderr, "keys rotate") {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
}

func TestInvalidConfigurationFailsBeforeOpening(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sub", "latchkey.db")
	for _, k := range []string{"LATCHKEY_MASTER_KEY", "LATCHKEY_MASTER_KEY_FILE", "LATCHKEY_SMTP_URL", "LATCHKEY_PUBLIC_URL"} {
		t.Setenv(k, "") // an empty setting counts as unset
	}
	t.Setenv("LATCHKEY_MODE", "production")
	t.Setenv("LATCHKEY_DATABASE", db)
	for _, cmd := range []string{"serve", "init", "keys"} {
		args := []string{cmd}
		if cmd == "keys" {
			args = append(args, "rotate")
		}
		code, _, stderr := runCapture(t, args...)
		if code != 1 {
			t.Fatalf("%s: status %d, want 1", cmd, code)
		}
		for _, want := range []string{"invalid configuration", "https", "master key", "SMTP URL"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", cmd, want, stderr)
			}
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(db), "*")); len(matches) != 0 {
		t.Fatalf("an invalid configuration created %v", matches)
	}
}

func TestInitJSONThenRotateKeys(t *testing.T) {
	db := "--database=" + filepath.Join(t.TempDir(), "latchkey.db")
	initJSON := func(args ...string) map[string]any {
		t.Helper()
		code, stdout, stderr := runCapture(t, append([]string{"init", "--json", db}, args...)...)
		if code != 0 {
			t.Fatalf("init %v: status %d, stderr:\n%s", args, code, stderr)
		}
		var out map[string]any
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("init --json printed %q: %v", stdout, err)
		}
		return out
	}
	first := initJSON()
	if first["created"] != true || first["client_secret"] == "" {
		t.Fatalf("first init: %v", first)
	}
	again := initJSON()
	if again["created"] != false || again["tenant_id"] != first["tenant_id"] || again["client_secret"] != "" {
		t.Fatalf("second init: %v", again)
	}
	if code, _, stderr := runCapture(t, "init", "--json", db, "--tenant", "  "); code != 1 || !strings.Contains(stderr, "tenant name") {
		t.Fatalf("init with a blank tenant name: status %d, stderr %q", code, stderr)
	}

	code, stdout, stderr := runCapture(t, "keys", "rotate", db)
	if code != 0 || !strings.Contains(stdout, "deployment's signing keys") {
		t.Fatalf("keys rotate: status %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	// The tenant shares the deployment's keys until it is given its own.
	tid := first["tenant_id"].(string)
	if code, _, stderr := runCapture(t, "keys", "rotate", db, "--tenant", tid); code != 1 || !strings.Contains(stderr, "--own-keys") {
		t.Fatalf("keys rotate of a tenant without own keys: status %d, stderr %q", code, stderr)
	}
	code, stdout, _ = runCapture(t, "keys", "rotate", db, "--tenant", tid, "--own-keys")
	if code != 0 || !strings.Contains(stdout, "tenant default") {
		t.Fatalf("keys rotate --own-keys by tenant id: status %d, stdout %q", code, stdout)
	}
	code, stdout, _ = runCapture(t, "keys", "rotate", db, "--all")
	if code != 0 || !strings.Contains(stdout, "deployment's signing keys") || !strings.Contains(stdout, tid) {
		t.Fatalf("keys rotate --all: status %d, stdout %q", code, stdout)
	}
	code, stdout, _ = runCapture(t, "keys", "rotate", db, "--tenant", "default", "--shared-keys")
	if code != 0 || !strings.Contains(stdout, "signs with the deployment's keys") {
		t.Fatalf("keys rotate --shared-keys: status %d, stdout %q", code, stdout)
	}
	if code, _, stderr := runCapture(t, "keys", "rotate", db, "--tenant", "nope"); code != 1 || !strings.Contains(stderr, "find tenant") {
		t.Fatalf("keys rotate of an unknown tenant: status %d, stderr %q", code, stderr)
	}
}
