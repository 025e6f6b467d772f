package e2e

import (
	"strings"
	"syscall"
	"testing"
)

// TestProcessHealthCommand runs the container health check against a real server: ready while
// it serves, not once it has stopped.
func TestProcessHealthCommand(t *testing.T) {
	t.Parallel()
	st := sqliteStore(t)
	srv := startLatchkeyServer(t, st, "", nil)
	res := runLatchkey(t, st, map[string]string{"LATCHKEY_LISTEN": srv.addr}, "health")
	if res.code != 0 || !strings.Contains(res.stdout, "/readyz answered 200") {
		t.Fatalf("health of a running server: status %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	srv.signal(syscall.SIGTERM)
	if code := srv.wait(); code != 0 {
		t.Fatalf("latchkey exited with %d", code)
	}
	res = runLatchkey(t, st, nil, "health", "--url", srv.url+"/readyz")
	if res.code != 1 || !strings.Contains(res.stderr, "not healthy") {
		t.Fatalf("health of a stopped server: status %d, stderr %q", res.code, res.stderr)
	}
}
