package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const unitFile = "latchkey.service"

// unitDirectives reads the [Service] section of a unit: each key's values, in order.
func unitDirectives(t *testing.T, text string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = line
		case section == "[Service]":
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: %q is not key=value", unitFile, line)
			}
			out[k] = append(out[k], v)
		}
	}
	return out
}

// TestSystemdUnitSandbox checks that the unit keeps the sandbox docs/deploy.md describes. The
// directives are read from the file, because systemd-analyze verify accepts a unit that leaves
// them out.
func TestSystemdUnitSandbox(t *testing.T) {
	text, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	d := unitDirectives(t, string(text))
	want := map[string]string{
		"DynamicUser":             "yes",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"NoNewPrivileges":         "yes",
		"StateDirectory":          "latchkey",
		"CapabilityBoundingSet":   "",
		"AmbientCapabilities":     "",
		"MemoryDenyWriteExecute":  "yes",
		"RestrictNamespaces":      "yes",
		"LockPersonality":         "yes",
		"SystemCallArchitectures": "native",
		"UMask":                   "0077",
	}
	for k, v := range want {
		got, ok := d[k]
		if !ok || got[len(got)-1] != v {
			t.Errorf("%s=%v, want %s=%s", k, got, k, v)
		}
	}
	if fams := strings.Fields(strings.Join(d["RestrictAddressFamilies"], " ")); len(fams) == 0 || strings.Join(fams, " ") != "AF_INET AF_INET6 AF_UNIX" {
		t.Errorf("RestrictAddressFamilies=%v, want AF_INET AF_INET6 AF_UNIX", fams)
	}
	filters := strings.Join(d["SystemCallFilter"], "\n")
	if !regexp.MustCompile(`(?m)^@system-service$`).MatchString(filters) || !strings.Contains(filters, "~@privileged") {
		t.Errorf("SystemCallFilter=%q, want @system-service without @privileged", filters)
	}
	if exec := d["ExecStart"]; len(exec) != 1 || !strings.HasSuffix(exec[0], "/latchkey serve") {
		t.Errorf("ExecStart=%v", exec)
	}
	// The master key reaches the service as a credential, not through a file its user reads.
	if !anyPrefixed(d["LoadCredential"], "master.key:") || !anyPrefixed(d["Environment"], "LATCHKEY_MASTER_KEY_FILE=%d/master.key") {
		t.Errorf("the master key is not passed as a credential: LoadCredential=%v Environment=%v", d["LoadCredential"], d["Environment"])
	}
	// systemd must wait longer than Latchkey's own graceful shutdown (15s by default).
	stop, err := time.ParseDuration(strings.Join(d["TimeoutStopSec"], ""))
	if err != nil || stop <= 15*time.Second {
		t.Errorf("TimeoutStopSec=%v: must exceed the 15s shutdown timeout", d["TimeoutStopSec"])
	}
}

// anyPrefixed reports whether any value starts with prefix.
func anyPrefixed(values []string, prefix string) bool {
	for _, v := range values {
		if strings.HasPrefix(v, prefix) {
			return true
		}
	}
	return false
}

// TestSystemdUnitVerifies runs systemd-analyze verify on the unit, with ExecStart pointed at an
// executable that exists (verify refuses a missing one), and fails on any warning about the
// unit: an unknown or misspelt directive is only a warning to systemd, which then ignores it.
// Where the tool can, it also rates the sandbox with systemd-analyze security.
func TestSystemdUnitVerifies(t *testing.T) {
	tool := "/usr/bin/systemd-analyze"
	if _, err := os.Stat(tool); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: install systemd to verify deploy/%s", tool, unitFile)
		}
		t.Skipf("%s is missing; TestSystemdUnitSandbox still checks the directives", tool)
	}
	text, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := strings.ReplaceAll(string(text), "/usr/local/bin/latchkey", self)
	path := filepath.Join(t.TempDir(), unitFile)
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "verify", path).CombinedOutput()
	if err != nil || strings.Contains(string(out), unitFile) {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}

	out, err = exec.Command(tool, "security", "--offline=true", path).CombinedOutput()
	if err != nil {
		t.Logf("systemd-analyze security --offline is not available here (%v); the sandbox is not rated", err)
		return
	}
	m := regexp.MustCompile(`Overall exposure level for ` + regexp.QuoteMeta(unitFile) + `: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	// systemd rates 0-10; below 2 is its best band ("OK"). docs/deploy.md quotes the figure.
	if level, _ := strconv.ParseFloat(string(m[1]), 64); level >= 2 {
		t.Errorf("exposure level %s, want below 2", m[1])
	}
	t.Logf("systemd-analyze security: exposure level %s", m[1])
}
