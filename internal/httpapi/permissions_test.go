package httpapi

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/clientroles"
)

// TestRoutePermissions keeps the permission table whole and in step with the routes: every
// registered route has a row, every row a route, every row names a real requirement, and the
// row agrees with the token the route is registered to take (public routes take none; routes
// only the admin token reaches are registered as AdminToken).
func TestRoutePermissions(t *testing.T) {
	registered := map[string]bool{}
	for _, rt := range New(Config{}).Routes() {
		key := rt.Method + " " + rt.Pattern
		registered[key] = true
		need, ok := permissions[key]
		if !ok {
			t.Errorf("route %s has no row in the permission table (permissions.go)", key)
			continue
		}
		switch {
		case need != clientroles.Public && need != clientroles.Admin && !clientroles.IsPermission(need):
			t.Errorf("%s: %q is not a client-role permission", key, need)
		case (need == clientroles.Public) != (rt.Access == Public):
			t.Errorf("%s: the table says %s but the route is registered as %s", key, need, accessName(rt.Access))
		case (need == clientroles.Admin) != (rt.Access == AdminToken):
			t.Errorf("%s: the table says %s but the route is registered as %s", key, need, accessName(rt.Access))
		}
	}
	for key := range permissions {
		if !registered[key] {
			t.Errorf("the permission table has a row for %s, which no route serves", key)
		}
	}
	// Every permission a role can grant opens some route: none is dead weight.
	used := map[string]bool{}
	for _, need := range permissions {
		used[need] = true
	}
	for _, p := range clientroles.Permissions() {
		if !used[p] {
			t.Errorf("permission %s guards no route", p)
		}
	}
}

// TestOpenAPIPublishesPermissions checks that every operation of openapi.json carries the
// x-permission its route's row says, and that an operation a role's permission guards
// documents the 403 a client without it gets.
func TestOpenAPIPublishesPermissions(t *testing.T) {
	doc := loadOpenAPI(t)
	documented := map[string]string{}
	operations(doc, func(path, method string, op map[string]any) {
		p, _ := op["x-permission"].(string)
		key := strings.ToUpper(method) + " " + path
		documented[key] = p
		if _, ok := obj(op, "responses")["403"]; clientroles.IsPermission(p) && !ok {
			t.Errorf("openapi.json %s: guarded by %s but documents no 403", key, p)
		}
	})
	for _, rt := range New(Config{}).Routes() {
		key := rt.Method + " " + openAPIPath(rt.Pattern)
		got, ok := documented[key]
		if !ok {
			continue // TestOpenAPICoversEveryRoute reports it
		}
		if want := permissionOf(rt); got != want {
			t.Errorf("openapi.json %s: x-permission %q, the permission table says %q", key, got, want)
		}
	}
}

// The table is the one place permissions are declared: no other file of the package names a
// permission for a route.
func TestPermissionsDeclaredOnce(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || name == "permissions.go" {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range clientroles.Permissions() {
			if strings.Contains(string(src), `"`+p+`"`) {
				t.Errorf("%s spells permission %s; routes take theirs from permissions.go", name, p)
			}
		}
	}
	if !slices.IsSorted(clientroles.Permissions()) {
		t.Errorf("clientroles.Permissions is not sorted")
	}
}
