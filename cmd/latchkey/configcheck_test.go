package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// config check prints every setting with its origin, masks secrets, warns of a misspelt
// variable in development and refuses it in production; its output is a configuration file.
func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "latchkey.yaml")
	if err := os.WriteFile(file, []byte("listen: 127.0.0.1:9911\nsession-ttl: 48h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LATCHKEY_CONFIG", file)
	t.Setenv("LATCHKEY_SMTP_URL", "smtp://mailer:hunter2@mail.example.com:587?from=a@example.com")
	t.Setenv("LATCHKEY_SMTP_ULR", "smtp://typo")
	code, stdout, stderr := runCapture(t, "config", "check", "--database", filepath.Join(dir, "x.db"))
	if code != 0 {
		t.Fatalf("status %d, stderr %s", code, stderr)
	}
	for _, want := range []string{
		`listen: "127.0.0.1:9911" # file`,
		`session-ttl: "48h0m0s" # file`,
		`smtp-url: "smtp://mailer:********@mail.example.com:587?from=a@example.com" # env`,
		`database: "` + filepath.Join(dir, "x.db") + `" # flag`,
		`mode: "development" # default`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("missing %q in:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "hunter2") {
		t.Errorf("the SMTP password is shown:\n%s", stdout)
	}
	if !strings.Contains(stderr, `warning: environment: no setting reads LATCHKEY_SMTP_ULR (did you mean "LATCHKEY_SMTP_URL"?)`) {
		t.Errorf("no warning for the typo: %s", stderr)
	}

	// The output, with the masked password filled back in, is a configuration file that
	// gives the same settings.
	again := filepath.Join(dir, "again.yaml")
	if err := os.WriteFile(again, []byte(strings.ReplaceAll(stdout, "********", "hunter2")), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LATCHKEY_CONFIG", again)
	t.Setenv("LATCHKEY_SMTP_URL", "")
	code, stdout2, stderr := runCapture(t, "config", "check")
	if code != 0 {
		t.Fatalf("the printed configuration does not load: %s", stderr)
	}
	if strings.ReplaceAll(stdout2, "# file", "") != strings.NewReplacer("# file", "", "# env", "", "# flag", "", "# default", "", "# configuration file: "+file, "# configuration file: "+again).Replace(stdout) {
		t.Errorf("values differ after a round trip:\n%s\nthen\n%s", stdout, stdout2)
	}

	// In production, the typo is an error.
	t.Setenv("LATCHKEY_MODE", "production")
	t.Setenv("LATCHKEY_PUBLIC_URL", "https://auth.example.com")
	t.Setenv("LATCHKEY_MASTER_KEY_FILE", filepath.Join(dir, "master.key"))
	code, _, stderr = runCapture(t, "config", "check")
	if code != 1 || !strings.Contains(stderr, "LATCHKEY_SMTP_ULR") {
		t.Fatalf("production: status %d, stderr %s", code, stderr)
	}
}
