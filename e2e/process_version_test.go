package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// TestProcessVersionNamesTheBuild holds `latchkey version` to what the go command recorded in
// the binary, read independently with `go version -m`: the module version and, when the build
// was made in a checkout with VCS stamping, the revision.
func TestProcessVersionNamesTheBuild(t *testing.T) {
	t.Parallel()
	bin := latchkeyBinary(t)
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	var modVersion, revision string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "mod" && f[1] == "github.com/latchkey/latchkey":
			modVersion = f[2]
		case len(f) >= 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision="):
			revision = strings.TrimPrefix(f[1], "vcs.revision=")
		}
	}
	if modVersion == "" {
		t.Fatalf("go version -m names no main module:\n%s", out)
	}
	if modVersion == "(devel)" {
		modVersion = "devel"
	}
	res := runLatchkey(t, sqliteStore(t), nil, "version")
	if res.code != 0 {
		t.Fatalf("latchkey version: status %d, stderr:\n%s", res.code, res.stderr)
	}
	if !strings.HasPrefix(res.stdout, "latchkey "+modVersion+" ") && strings.TrimSpace(res.stdout) != "latchkey "+modVersion {
		t.Errorf("latchkey version printed %q; the binary's module version is %s", res.stdout, modVersion)
	}
	if revision != "" && !strings.Contains(res.stdout, "revision "+revision) {
		t.Errorf("latchkey version printed %q; the binary was built from revision %s", res.stdout, revision)
	}
}
