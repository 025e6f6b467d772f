package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/latchkey/latchkey/internal/httpapi"
)

// oapiCodegen is the generator a Go integrator would reach for, at a fixed version so that the
// check is repeatable; it is fetched through the Go module proxy like any module.
const oapiCodegen = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2"

// TestOpenAPIGeneratesAGoClient generates a Go client and server from /openapi.json with
// oapi-codegen's default settings, in a module of its own, and compiles it: a schema whose
// name clashes with generated code (Client did), or a construct the generator cannot turn
// into Go, fails here rather than in an integrator's build.
func TestOpenAPIGeneratesAGoClient(t *testing.T) {
	if testing.Short() {
		t.Skip("generating and compiling a client takes a minute; run without -short")
	}
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the go command is needed to generate the client: ", err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("openapi.json", httpapi.OpenAPI())
	write("go.mod", []byte("module latchkeyclient\n\ngo 1.26\n"))
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(goBin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "client"), 0o755); err != nil {
		t.Fatal(err)
	}
	run("run", oapiCodegen, "-package", "client", "-o", "client/client.go", "openapi.json")
	run("mod", "tidy")
	run("build", "./...")
	run("vet", "./...")
}
