package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/latchkey/latchkey"

// pkg is the part of `go list -json` output the rules need.
type pkg struct {
	ImportPath string
	Deps       []string
	Imports    []string
}

func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

// forbidden lists, for each domain package, what it must never depend on, directly or not:
// HTTP, database drivers, and the packages above it.
var domain = []string{
	"internal/model", "internal/storage", "internal/fault", "internal/secret", "internal/auth",
	"internal/tenancy", "internal/directory", "internal/delivery", "internal/token",
	"internal/password", "internal/audit", "internal/storage/cache", "internal/sealing", "internal/transfer",
	"internal/auth/passkeys", "internal/auth/totp", "internal/auth/otp", "internal/auth/magiclink", "internal/auth/passwords",
	"internal/auth/session", "internal/auth/grant", "internal/observe", "internal/roles", "internal/groups", "internal/orgs",
	"internal/admins", "internal/clientroles",
}

// internal/passkey is deliberately not in the list: it adapts go-webauthn, whose packages import
// net/http for their own request helpers. The passkey flows themselves live in
// internal/auth/passkeys and reach the library only through the passkeys.PasskeyVerifier
// interface.

var neverInDomain = []string{
	"net/http", "database/sql", "modernc.org/sqlite", "github.com/jackc/pgx",
	module + "/internal/storage/sqlstore", module + "/internal/httpapi", module + "/internal/config",
	// Metrics and traces reach the domain only through its recorder interfaces and
	// observe.Tracer, which internal/metrics and internal/tracing implement.
	"github.com/prometheus", "go.opentelemetry.io", module + "/internal/metrics", module + "/internal/tracing",
}

func TestDomainPackagesStayFreeOfHTTPAndDrivers(t *testing.T) {
	pkgs := listPackages(t)
	for _, rel := range domain {
		p, ok := pkgs[module+"/"+rel]
		if !ok {
			t.Errorf("package %s is missing; update the rule list", rel)
			continue
		}
		for _, dep := range p.Deps {
			for _, bad := range neverInDomain {
				if dep == bad || strings.HasPrefix(dep, bad+"/") {
					t.Errorf("%s depends on %s", rel, dep)
				}
			}
		}
	}
}

// The leaves import nothing of Latchkey but each other as drawn: model imports nothing,
// storage only model, fault nothing.
func TestLeavesImportOnlyWhatTheyMay(t *testing.T) {
	allowed := map[string][]string{
		"internal/model":   nil,
		"internal/fault":   nil,
		"internal/storage": {"internal/model"},
		"internal/secret":  nil,
		// The tracing hook knows nothing of what it traces.
		"internal/observe": nil,
		// The node's copy of configuration wraps any store and knows nothing above it.
		"internal/storage/cache": {"internal/model", "internal/storage"},
	}
	pkgs := listPackages(t)
	for rel, ok := range allowed {
		for _, imp := range pkgs[module+"/"+rel].Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if !containsRel(ok, strings.TrimPrefix(imp, module+"/")) {
				t.Errorf("%s imports %s", rel, imp)
			}
		}
	}
}

// Only the command may import configuration.
func TestOnlyTheCommandReadsConfiguration(t *testing.T) {
	for path, p := range listPackages(t) {
		if strings.HasPrefix(path, module+"/cmd/") || path == module+"/internal/config" {
			continue
		}
		for _, imp := range p.Imports {
			if imp == module+"/internal/config" {
				t.Errorf("%s imports internal/config; pass options instead", path)
			}
		}
	}
}

func containsRel(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// The login methods are packages under internal/auth, each running through the core pipeline
// (internal/auth) and never through another method: a method that imported another would tie
// their rules together behind the pipeline's back. authtest, the shared test fixture, is not a
// method; nothing but tests may import it.
func TestLoginMethodsImportOnlyTheCore(t *testing.T) {
	pkgs := listPackages(t)
	prefix := module + "/internal/auth/"
	methods := 0
	for path, p := range pkgs {
		if !strings.HasPrefix(path, prefix) || path == prefix+"authtest" {
			continue
		}
		methods++
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, prefix) {
				t.Errorf("login method %s imports %s: methods share code only through the core, internal/auth",
					strings.TrimPrefix(path, module+"/"), strings.TrimPrefix(imp, module+"/"))
			}
		}
	}
	for path, p := range pkgs {
		for _, imp := range p.Imports {
			if imp == prefix+"authtest" {
				t.Errorf("%s imports the test fixture authtest outside a test", strings.TrimPrefix(path, module+"/"))
			}
		}
	}
	if methods == 0 {
		t.Fatal("no login method packages under internal/auth: update this rule")
	}
}

// The admin portal is an HTTP edge beside the API: it reaches data only through the domain
// services, never the store itself (where it could bypass a rule the services keep), and
// shares nothing with the API's handlers.
func TestPortalReachesDataOnlyThroughTheDomain(t *testing.T) {
	p, ok := listPackages(t)[module+"/internal/portal"]
	if !ok {
		t.Fatal("package internal/portal is missing; update the rule")
	}
	for _, imp := range p.Imports {
		for _, bad := range []string{module + "/internal/storage", module + "/internal/httpapi", "database/sql"} {
			if imp == bad || strings.HasPrefix(imp, bad+"/") {
				t.Errorf("internal/portal imports %s", imp)
			}
		}
	}
}

// The SDK is what applications import: it must build on the public module alone, so that no
// server code (nor the server's dependencies) reaches an application, and so that it keeps
// working against the HTTP API rather than against internals that may change. The client
// uses the standard library only; the middleware adds go-jose for JOSE.
func TestSDKImportsNothingOfTheServer(t *testing.T) {
	pkgs := listPackages(t)
	allowed := map[string][]string{
		"sdk/client":     nil,
		"sdk/middleware": {"github.com/go-jose/go-jose/v4"},
	}
	var seen int
	for path, p := range pkgs {
		rel, ok := strings.CutPrefix(path, module+"/")
		if !ok || (rel != "sdk" && !strings.HasPrefix(rel, "sdk/")) {
			continue
		}
		seen++
		extra, known := allowed[rel]
		if !known {
			t.Errorf("package %s is not in the SDK rule; add it with what it may depend on", rel)
		}
		for _, dep := range p.Deps {
			switch {
			case strings.HasPrefix(dep, module+"/internal/") || strings.HasPrefix(dep, module+"/cmd/"):
				t.Errorf("%s depends on %s", rel, dep)
			case !strings.Contains(strings.SplitN(dep, "/", 2)[0], "."):
				// The standard library.
			case strings.HasPrefix(dep, module+"/sdk/"):
			default:
				ok := false
				for _, a := range extra {
					ok = ok || dep == a || strings.HasPrefix(dep, a+"/")
				}
				if !ok {
					t.Errorf("%s depends on %s, which the SDK rule does not allow", rel, dep)
				}
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("found %d SDK packages, the rule names %d", seen, len(allowed))
	}
}
