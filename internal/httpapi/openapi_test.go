package httpapi

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// openAPIURL names the document inside the schema compiler; nothing is fetched from it.
const openAPIURL = "https://latchkey.invalid/openapi.json"

var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// loadOpenAPI decodes the embedded document as the schema compiler reads JSON.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(OpenAPI()))
	if err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		t.Fatal("openapi.json is not a JSON object")
	}
	return doc
}

// obj returns v[key] as an object, or nil.
func obj(v any, key string) map[string]any {
	m, _ := v.(map[string]any)
	out, _ := m[key].(map[string]any)
	return out
}

// operations calls f for every operation of the document.
func operations(doc map[string]any, f func(path, method string, op map[string]any)) {
	for path, item := range obj(doc, "paths") {
		for _, m := range openAPIMethods {
			if op := obj(item, m); op != nil {
				f(path, m, op)
			}
		}
	}
}

// resolve follows a local $ref; it returns nil when the reference does not resolve.
func resolve(doc map[string]any, v any) map[string]any {
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		v = lookupPointer(doc, ref)
	}
	return nil
}

// lookupPointer returns the value a local reference ("#/a/b") names, or nil.
func lookupPointer(doc map[string]any, ref string) any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = doc
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[tok]; !ok {
			return nil
		}
	}
	return cur
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadOpenAPI(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	info := obj(doc, "info")
	if s, _ := info["title"].(string); s == "" {
		t.Error("info.title is missing")
	}
	if s, _ := info["version"].(string); s == "" {
		t.Error("info.version is missing")
	}
	if servers, _ := doc["servers"].([]any); len(servers) == 0 {
		t.Error("servers is empty")
	}
	checkRefs(t, doc, doc, "#")
	schemes := obj(obj(doc, "components"), "securitySchemes")
	ids := map[string]string{}
	operations(doc, func(path, method string, op map[string]any) {
		where := strings.ToUpper(method) + " " + path
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", where)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("%s: operationId %s is also used by %s", where, id, prev)
		}
		ids[id] = where
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", where)
		}
		checkPathParams(t, doc, path, where, op)
		checkResponses(t, doc, where, op)
		checkSecurity(t, schemes, where, op)
		if rb, ok := op["requestBody"]; ok {
			if len(obj(resolve(doc, rb), "content")) == 0 {
				t.Errorf("%s: requestBody has no content", where)
			}
		}
	})
}

// checkRefs fails for every $ref that does not resolve inside the document.
func checkRefs(t *testing.T, doc map[string]any, v any, at string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && lookupPointer(doc, ref) == nil {
			t.Errorf("%s: $ref %q does not resolve", at, ref)
		}
		for k, x := range v {
			checkRefs(t, doc, x, at+"/"+k)
		}
	case []any:
		for i, x := range v {
			checkRefs(t, doc, x, fmt.Sprintf("%s/%d", at, i))
		}
	}
}

var templateParam = regexp.MustCompile(`\{([^}]+)\}`)

// checkPathParams requires each template variable to be declared as a required path
// parameter, and each declared path parameter to appear in the template.
func checkPathParams(t *testing.T, doc map[string]any, path, where string, op map[string]any) {
	t.Helper()
	declared := map[string]bool{}
	for _, list := range []any{obj(obj(doc, "paths"), path)["parameters"], op["parameters"]} {
		params, _ := list.([]any)
		for _, p := range params {
			pm := resolve(doc, p)
			if pm == nil || pm["in"] != "path" {
				continue
			}
			name, _ := pm["name"].(string)
			if pm["required"] != true {
				t.Errorf("%s: path parameter %s is not required", where, name)
			}
			declared[name] = true
		}
	}
	inTemplate := map[string]bool{}
	for _, m := range templateParam.FindAllStringSubmatch(path, -1) {
		inTemplate[m[1]] = true
		if !declared[m[1]] {
			t.Errorf("%s: path parameter %s is not declared", where, m[1])
		}
	}
	for name := range declared {
		if !inTemplate[name] {
			t.Errorf("%s: declares path parameter %s, which the path does not have", where, name)
		}
	}
}

var statusKey = regexp.MustCompile(`^([1-5][0-9][0-9]|[1-5]XX|default)$`)

func checkResponses(t *testing.T, doc map[string]any, where string, op map[string]any) {
	t.Helper()
	responses := obj(op, "responses")
	if len(responses) == 0 {
		t.Errorf("%s: no responses", where)
	}
	for status, v := range responses {
		if !statusKey.MatchString(status) {
			t.Errorf("%s: response key %q is not a status code", where, status)
		}
		r := resolve(doc, v)
		if s, _ := r["description"].(string); s == "" {
			t.Errorf("%s %s: response has no description", where, status)
		}
		if status == "204" && r["content"] != nil {
			t.Errorf("%s: a 204 response documents a body", where)
		}
	}
}

// checkSecurity requires explicit security on every operation, naming only defined schemes.
func checkSecurity(t *testing.T, schemes map[string]any, where string, op map[string]any) {
	t.Helper()
	reqs, ok := op["security"].([]any)
	if !ok {
		t.Errorf("%s: no security (use [] for a public operation)", where)
	}
	for _, r := range reqs {
		for name := range r.(map[string]any) {
			if schemes[name] == nil {
				t.Errorf("%s: security scheme %s is not defined", where, name)
			}
		}
	}
}

func TestOpenAPISchemasCompile(t *testing.T) {
	doc := loadOpenAPI(t)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(openAPIURL, doc); err != nil {
		t.Fatal(err)
	}
	var locs []string
	for name := range obj(obj(doc, "components"), "schemas") {
		locs = append(locs, "/components/schemas/"+escapeToken(name))
	}
	collectSchemas(doc, "", &locs)
	sort.Strings(locs)
	if len(locs) < 50 {
		t.Fatalf("found only %d schemas; the walk is broken", len(locs))
	}
	for _, loc := range locs {
		if _, err := c.Compile(openAPIURL + "#" + loc); err != nil {
			t.Errorf("schema %s does not compile: %v", loc, err)
		}
	}
}

// collectSchemas records the JSON pointer of every Schema Object held by a parameter, header
// or media type (a "schema" member) outside components/schemas.
func collectSchemas(v any, at string, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			loc := at + "/" + escapeToken(k)
			switch {
			case loc == "/components/schemas":
			case k == "schema":
				*out = append(*out, loc)
			default:
				collectSchemas(x, loc, out)
			}
		}
	case []any:
		for i, x := range v {
			collectSchemas(x, fmt.Sprintf("%s/%d", at, i), out)
		}
	}
}

// escapeToken escapes a JSON pointer token and makes it safe in a URL fragment.
func escapeToken(tok string) string {
	return url.PathEscape(strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
}

// openAPIPath turns a ServeMux pattern into OpenAPI path templating: {name} is the same in
// both, {name...} becomes {name} and {$} is dropped.
func openAPIPath(pattern string) string {
	pattern = strings.TrimSuffix(pattern, "{$}")
	return strings.ReplaceAll(pattern, "...}", "}")
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	documented := map[string]map[string]any{}
	operations(doc, func(path, method string, op map[string]any) {
		documented[strings.ToUpper(method)+" "+path] = op
	})
	routes := New(Config{}).Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	registered := map[string]bool{}
	var missing []string
	for _, rt := range routes {
		key := rt.Method + " " + openAPIPath(rt.Pattern)
		registered[key] = true
		op, ok := documented[key]
		if !ok {
			missing = append(missing, key)
			continue
		}
		checkRouteContract(t, doc, key, rt.Access, op)
	}
	var extra []string
	for key := range documented {
		if !registered[key] {
			extra = append(extra, key)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing) > 0 {
		t.Errorf("registered routes missing from openapi.json:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("openapi.json documents operations no route serves:\n  %s", strings.Join(extra, "\n  "))
	}
}

// checkRouteContract checks an operation against what its route's wrapper guarantees: the
// bearer token it takes and the statuses that token check and the body decoder can answer.
func checkRouteContract(t *testing.T, doc map[string]any, key string, access Access, op map[string]any) {
	t.Helper()
	var names []string
	reqs, _ := op["security"].([]any)
	for _, r := range reqs {
		m, _ := r.(map[string]any)
		if len(m) == 0 {
			names = append(names, "")
		}
		for name := range m {
			names = append(names, name)
		}
	}
	responses := obj(op, "responses")
	has := func(status string) bool { _, ok := responses[status]; return ok }
	switch access {
	case Public:
		// The wrapper checks no client token here; one may be optional, never required.
		bearer := slices.Contains(names, "ClientToken") || slices.Contains(names, "AdminToken")
		if bearer && !slices.Contains(names, "") {
			t.Errorf("%s: public route requires client-token security %v", key, names)
		}
	case ClientToken:
		if !slices.Contains(names, "ClientToken") || !has("401") {
			t.Errorf("%s: client-token route must document ClientToken security and 401 (security %v)", key, names)
		}
	case AdminToken:
		if !slices.Equal(names, []string{"AdminToken"}) || !has("401") || !has("403") {
			t.Errorf("%s: admin route must document only AdminToken security, 401 and 403 (security %v)", key, names)
		}
	}
	if !has("500") {
		t.Errorf("%s: 500 is not documented", key)
	}
	if rb, ok := op["requestBody"]; ok && obj(obj(resolve(doc, rb), "content"), "application/json") != nil {
		if !has("400") || !has("413") {
			t.Errorf("%s: a JSON body route must document 400 and 413", key)
		}
	}
}

func TestOpenAPIPathConversion(t *testing.T) {
	cases := map[string]string{
		"/cis/v1/users/{user_id}": "/cis/v1/users/{user_id}",
		"/files/{rest...}":        "/files/{rest}",
		"/exact/{$}":              "/exact/",
	}
	for in, want := range cases {
		if got := openAPIPath(in); got != want {
			t.Errorf("openAPIPath(%q) = %q, want %q", in, got, want)
		}
	}
}
