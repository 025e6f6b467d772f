package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// A new tenant gets a set-up link; an existing one only when asked, and each new link spends
// the one before (the link's redemption is tested in internal/admins and e2e).
func TestInitPrintsAdminSetupLinks(t *testing.T) {
	db := "--database=" + filepath.Join(t.TempDir(), "latchkey.db")
	pub := "--public-url=https://auth.example.com"
	code, stdout, stderr := runCapture(t, "init", db, pub)
	if code != 0 || !strings.Contains(stdout, "https://auth.example.com/admin/setup?token=") {
		t.Fatalf("init of a new tenant: status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, stdout, _ := runCapture(t, "init", db, pub); code != 0 || strings.Contains(stdout, "/admin/setup") {
		t.Fatalf("init of an existing tenant printed a link unasked: %q", stdout)
	}
	code, stdout, _ = runCapture(t, "init", db, pub, "--admin-link")
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(stdout), "Set up the first administrator") || strings.Contains(stdout, "client_secret") {
		t.Fatalf("init --admin-link of an existing tenant: status %d, stdout %q", code, stdout)
	}
	code, stdout, _ = runCapture(t, "init", "--json", db, pub, "--admin-link")
	var out map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &out) != nil || !strings.HasPrefix(out["admin_setup_url"].(string), "https://auth.example.com/admin/setup?token=") {
		t.Fatalf("init --json --admin-link: status %d, stdout %q", code, stdout)
	}
}
