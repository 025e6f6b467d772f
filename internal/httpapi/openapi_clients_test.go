package httpapi

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// What client generators need of the document beyond validity; the generated Go client itself
// is compiled by e2e's TestOpenAPIGeneratesAGoClient.

func TestOpenAPIHasALicense(t *testing.T) {
	lic := obj(obj(loadOpenAPI(t), "info"), "license")
	if name, _ := lic["name"].(string); name == "" {
		t.Error("info.license.name is missing")
	}
	if id, _ := lic["identifier"].(string); id != "Apache-2.0" {
		t.Errorf("info.license.identifier = %q, want the repository's Apache-2.0", id)
	}
}

// TestOpenAPIPathsAreUnambiguous fails when two path templates differ only in the names of
// their parameters: a generator cannot tell which operation a URL is.
func TestOpenAPIPathsAreUnambiguous(t *testing.T) {
	param := regexp.MustCompile(`\{[^}]+\}`)
	seen := map[string]string{}
	for path := range obj(loadOpenAPI(t), "paths") {
		shape := param.ReplaceAllString(path, "{}")
		if prev, ok := seen[shape]; ok {
			t.Errorf("%s and %s differ only in parameter names", prev, path)
		}
		seen[shape] = path
	}
}

// TestOpenAPIOperationsListClientErrors keeps every operation's 4xx answers in the document,
// so a generated client has a type for the error it will receive.
func TestOpenAPIOperationsListClientErrors(t *testing.T) {
	operations(loadOpenAPI(t), func(path, method string, op map[string]any) {
		for status := range obj(op, "responses") {
			if strings.HasPrefix(status, "4") {
				return
			}
		}
		t.Errorf("%s %s lists no 4xx response", strings.ToUpper(method), path)
	})
}

// TestOpenAPIRequiredPropertiesAreDefined fails for a schema that requires a property no part
// of it defines: its own properties, or those of the schemas it composes with allOf or $ref.
func TestOpenAPIRequiredPropertiesAreDefined(t *testing.T) {
	doc := loadOpenAPI(t)
	var walk func(v any, at string, inherited map[string]bool)
	walk = func(v any, at string, inherited map[string]bool) {
		switch v := v.(type) {
		case map[string]any:
			defined := map[string]bool{}
			for k := range inherited {
				defined[k] = true
			}
			collectProperties(doc, v, defined, 0)
			if req, ok := v["required"].([]any); ok && looksLikeSchema(v, inherited) {
				for _, r := range req {
					if name, _ := r.(string); !defined[name] {
						t.Errorf("%s requires %q, which it does not define", at, name)
					}
				}
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				var pass map[string]bool
				if k == "allOf" || k == "oneOf" || k == "anyOf" {
					pass = defined // a branch may require what the composing schema defines
				}
				walk(v[k], at+"/"+k, pass)
			}
		case []any:
			for i, x := range v {
				walk(x, at+"/"+strconv.Itoa(i), inherited)
			}
		}
	}
	walk(doc, "#", nil)
}

// looksLikeSchema tells a schema's required list from a parameter's or body's required flag.
func looksLikeSchema(v map[string]any, inherited map[string]bool) bool {
	return v["properties"] != nil || v["allOf"] != nil || v["$ref"] != nil || v["type"] != nil || inherited != nil
}

// collectProperties adds the properties s defines itself and through allOf parts and $ref.
func collectProperties(doc, s map[string]any, into map[string]bool, depth int) {
	if s == nil || depth > 10 {
		return
	}
	for name := range obj(s, "properties") {
		into[name] = true
	}
	if ref, ok := s["$ref"].(string); ok {
		target, _ := lookupPointer(doc, ref).(map[string]any)
		collectProperties(doc, target, into, depth+1)
	}
	parts, _ := s["allOf"].([]any)
	for _, p := range parts {
		m, _ := p.(map[string]any)
		collectProperties(doc, m, into, depth+1)
	}
}
