package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/httpapi"
)

// A request field the OpenAPI document describes, found by walking its schema.
type docField struct {
	path []string // property names from the body's root; "*" is a key of a free-form object
	typ  string   // the JSON type the document gives it: string, number, boolean, array, object
	free bool     // an object whose keys the caller chooses (additionalProperties)
}

func (f docField) dotted() string { return strings.Join(f.path, ".") }

// leaf is the name an error about the field must mention: its own name, or for a key of a
// free-form object that object's name.
func (f docField) leaf() string {
	for i := len(f.path) - 1; i >= 0; i-- {
		if f.path[i] != "*" {
			return f.path[i]
		}
	}
	return "body"
}

// specRoot is the OpenAPI document as a generic value, for walking request schemas.
func specRoot(t *testing.T) map[string]any {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(httpapi.OpenAPI(), &root); err != nil {
		t.Fatal(err)
	}
	return root
}

// requestSchema returns the schema of an operation's request body for the media type, or nil.
func requestSchema(t *testing.T, root map[string]any, method, pattern, media string) map[string]any {
	t.Helper()
	paths, _ := root["paths"].(map[string]any)
	ops, _ := paths[pattern].(map[string]any)
	op, _ := ops[strings.ToLower(method)].(map[string]any)
	if op == nil {
		t.Errorf("%s %s is not in the OpenAPI document", method, pattern)
		return nil
	}
	rb, _, err := resolveRef(root, op["requestBody"], nil)
	if err != nil {
		return nil
	}
	content, _ := rb["content"].(map[string]any)
	mt, _ := content[media].(map[string]any)
	if mt == nil {
		return nil
	}
	sch, _, err := resolveRef(root, mt["schema"], nil)
	if err != nil {
		t.Errorf("%s %s: request schema: %v", method, pattern, err)
		return nil
	}
	return sch
}

// schemaFields lists every field of a schema down to depth levels, with its type.
func schemaFields(root, sch map[string]any, prefix []string, depth int) []docField {
	if sch == nil || depth == 0 {
		return nil
	}
	var out []docField
	merged := []map[string]any{sch}
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		list, _ := sch[k].([]any)
		for _, v := range list {
			if s, _, err := resolveRef(root, v, nil); err == nil {
				merged = append(merged, s)
			}
		}
	}
	seen := map[string]bool{}
	for _, s := range merged {
		props, _ := s["properties"].(map[string]any)
		for _, name := range sortedNames(props) {
			if seen[name] {
				continue
			}
			seen[name] = true
			p, _, err := resolveRef(root, props[name], nil)
			if err != nil {
				continue
			}
			path := append(slices.Clone(prefix), name)
			f := docField{path: path, typ: schemaType(root, p)}
			_, f.free = p["additionalProperties"].(map[string]any)
			if ap, ok := p["additionalProperties"].(bool); ok && ap {
				f.free = true
			}
			out = append(out, f)
			switch f.typ {
			case "object":
				out = append(out, schemaFields(root, p, path, depth-1)...)
				if f.free {
					out = append(out, docField{path: append(slices.Clone(path), "*"), typ: "string"})
				}
			case "array":
				if items, _, err := resolveRef(root, p["items"], nil); err == nil && schemaType(root, items) == "object" {
					out = append(out, schemaFields(root, items, path, depth-1)...)
				}
			}
		}
	}
	return out
}

func sortedNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// schemaType is a schema's one JSON type, "integer" counted as "number"; "" when it allows
// several or does not say.
func schemaType(root, s map[string]any) string {
	var types []string
	switch t := s["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, v := range t {
			if v != "null" {
				types = append(types, fmt.Sprint(v))
			}
		}
	}
	if len(types) == 0 {
		for _, k := range []string{"allOf"} {
			list, _ := s[k].([]any)
			for _, v := range list {
				if r, _, err := resolveRef(root, v, nil); err == nil {
					if t := schemaType(root, r); t != "" {
						return t
					}
				}
			}
		}
		if _, ok := s["properties"]; ok {
			return "object"
		}
		return ""
	}
	if len(types) != 1 {
		return ""
	}
	if types[0] == "integer" {
		return "number"
	}
	return types[0]
}

// bodyWith is a JSON object holding value at the field's place; arrays of objects hold one
// element, free-form objects one key.
func bodyWith(f docField, value string) []byte {
	return []byte(nest(f.path, value, ""))
}

func nest(path []string, value, key string) string {
	if len(path) == 0 {
		return value
	}
	name := path[0]
	if name == "*" {
		if key != "" {
			name = key
		} else {
			name = "k"
		}
	}
	enc, _ := json.Marshal(name)
	return "{" + string(enc) + ":" + nest(path[1:], value, key) + "}"
}

// badTexts are strings no field may hold, as raw JSON string literals: a NUL written as an
// escape, invalid UTF-8, and a lone UTF-16 surrogate.
var badTexts = map[string]string{
	"NUL":             `"a\u0000b"`,
	"invalid UTF-8":   "\"a\xffb\"",
	"lone surrogate":  `"a\ud800b"`,
	"raw C1 and NUL":  "\"\xc0\x80\"",
	"truncated UTF-8": "\"a\xe2\x82\"",
}

// hugeText is a string far longer than any field takes, inside the body limit.
var hugeText = `"` + strings.Repeat("Ab1-", 200_000) + `"`

// wrongTypeOf is a JSON value of a type other than typ.
func wrongTypeOf(typ string) []string {
	switch typ {
	case "string":
		return []string{`12345`, `{"x":[true]}`}
	case "number":
		return []string{`"12"`, `[1]`}
	case "boolean":
		return []string{`"true"`, `{}`}
	case "array":
		return []string{`"x"`, `{"a":1}`}
	case "object":
		return []string{`"x"`, `[{"a":1}]`}
	}
	return nil
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

// fillPath puts the seeded records' ids in a route pattern; the parameter named bad, if any,
// gets value instead (already escaped for the URL).
func fillPath(t *testing.T, pattern string, ids badInputIDs, bad, value string) string {
	t.Helper()
	known := map[string]string{
		"user_id": ids.user, "appId": ids.app, "clientId": ids.client, "resourceId": ids.resource,
		"totp_id": ids.totp, "credential_id": ids.passkey, "session_id": "nosuchsession", "id": "nosuchkey",
		"email": "ada@example.com", "username": "ada", "phone_number": "+14155550100", "external_user_id": "ext-ada",
		"app_id": ids.app, "role_id": "nosuchrole", "entity_id": ids.user, "group_id": "nosuchgroup",
		"organization_id": "nosuchorg", "organization_name": "nosuchorg", "member_id": ids.user,
	}
	return pathParam.ReplaceAllStringFunc(pattern, func(m string) string {
		name := m[1 : len(m)-1]
		if name == bad {
			return value
		}
		v, ok := known[name]
		if !ok {
			t.Errorf("%s: no test value for the path parameter %s; add one to fillPath", pattern, name)
		}
		return v
	})
}

// bearerFor is the token a route is called with: the one it needs to reach its decoding.
func bearerFor(rt httpapi.Route, admin, client, user string) string {
	key := rt.Method + " " + rt.Pattern
	if spec, ok := jsonBodyRoutes[key]; ok {
		switch {
		case spec.admin:
			return admin
		case spec.user:
			return user
		case spec.anonymous:
			return ""
		}
		return client
	}
	switch rt.Access {
	case httpapi.AdminToken:
		return admin
	case httpapi.ClientToken:
		return client
	}
	return ""
}

// isFormRoute reports the OAuth endpoints, which take forms and answer in RFC 6749's shape.
func isFormRoute(root map[string]any, t *testing.T, rt httpapi.Route) bool {
	return requestSchema(t, root, rt.Method, rt.Pattern, "application/x-www-form-urlencoded") != nil
}
