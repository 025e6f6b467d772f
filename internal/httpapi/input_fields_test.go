package httpapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
)

func TestCheckFieldsNamesUnknownFieldsAtAnyDepth(t *testing.T) {
	fields, err := buildRequestFields([]byte(`{
	  "paths": {
	    "/things": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}},
	    "/either": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object",
	      "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "additionalProperties": false,
	      "anyOf": [{"required": ["a"]}, {"required": ["b"]}]}}}}}}
	  },
	  "components": {"schemas": {
	    "Base": {"type": "object", "properties": {"client_attributes": {"$ref": "#/components/schemas/Attrs"}}},
	    "Attrs": {"type": "object", "properties": {"user_agent": {"type": "string"}}, "additionalProperties": false},
	    "Thing": {"allOf": [{"$ref": "#/components/schemas/Base"}], "type": "object", "unevaluatedProperties": false,
	      "properties": {
	        "name": {"oneOf": [{"type": "string"}, {"type": "object", "properties": {"given_name": {"type": "string"}}, "additionalProperties": false}]},
	        "emails": {"type": "array", "items": {"type": "object", "properties": {"value": {"type": "string"}}, "additionalProperties": false}},
	        "custom_data": {"type": "object"},
	        "anything": {"description": "any value"},
	        "labels": {"type": "object", "additionalProperties": {"type": "object", "properties": {"colour": {"type": "string"}}, "additionalProperties": false}},
	        "next": {"$ref": "#/components/schemas/Thing"}
	      }}
	  }}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	fs := fields["POST /things"]
	if fs == nil {
		t.Fatal("no field set for POST /things")
	}
	cases := []struct {
		body string
		want []string // unknown fields, in order; nil: accepted
	}{
		{`{"name":"a","client_attributes":{"user_agent":"x"},"custom_data":{"anything":{"deep":1}}}`, nil},
		{`{"anything":{"deep":{"deeper":[1]}}}`, nil},
		{`{"name":{"given_name":"a"},"emails":[{"value":"a@b"}],"labels":{"x":{"colour":"red"}}}`, nil},
		{`{"fist_name":"a"}`, []string{"fist_name"}},
		{`{"client_attributes":{"user_agnet":"x"}}`, []string{"client_attributes.user_agnet"}},
		{`{"name":{"givn_name":"a"}}`, []string{"name.givn_name"}},
		{`{"emails":[{"value":"a"},{"valeu":"b"}]}`, []string{"emails[1].valeu"}},
		{`{"labels":{"x":{"color":"red"}}}`, []string{"labels.x.color"}},
		{`{"next":{"next":{"zzz":1}},"aaa":2}`, []string{"aaa", "next.next.zzz"}},
	}
	either := fields["POST /either"]
	if err := checkJSONText([]byte(`{"a":"x","c":1}`), either); err == nil || !strings.Contains(err.Error(), "unknown field c") {
		t.Errorf("a branch that only requires fields opened the object: %v", err)
	}
	for _, c := range cases {
		err := checkJSONText([]byte(c.body), fs)
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: refused: %v", c.body, err)
			}
			continue
		}
		f := fault.As(err)
		if err == nil || f.Kind != fault.Invalid || f.Code != fault.CodeInvalidInput {
			t.Errorf("%s: got %v, want a 400 naming %v", c.body, err, c.want)
			continue
		}
		var got []string
		for _, d := range f.Details {
			got = append(got, strings.TrimPrefix(d, "unknown field "))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: named %v, want %v", c.body, got, c.want)
		}
	}
}

// TestRequestSchemasSayWhichFieldsTheyTake keeps the document honest about what the server
// does with fields it does not list: every object schema a JSON request body can reach that
// lists properties says additionalProperties (or, composed with allOf, unevaluatedProperties),
// so a client generated from the document, or a validator run on it, refuses what the server
// refuses. The parts an allOf composes stay open, as JSON Schema needs them to.
func TestRequestSchemasSayWhichFieldsTheyTake(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(openAPI, &root); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(v any, where string, part bool)
	walk = func(v any, where string, part bool) {
		m, _ := v.(map[string]any)
		if ref, ok := m["$ref"].(string); ok {
			key := ref + map[bool]string{true: " (part)", false: ""}[part]
			if !seen[key] {
				seen[key] = true
				walk(deref(root, m), ref, part)
			}
			return
		}
		if m == nil {
			return
		}
		_, hasAll := m["allOf"]
		_, ap := m["additionalProperties"]
		_, up := m["unevaluatedProperties"]
		switch {
		case hasAll && !up && !ap:
			t.Errorf("%s: composes with allOf but does not say unevaluatedProperties", where)
		case m["properties"] != nil && !hasAll && !part && !ap && !up:
			t.Errorf("%s: lists properties but does not say additionalProperties", where)
		}
		for _, k := range []string{"allOf", "oneOf", "anyOf"} {
			list, _ := m[k].([]any)
			for i, b := range list {
				walk(b, where+"/"+k+"/"+string(rune('0'+i)), k == "allOf")
			}
		}
		props, _ := m["properties"].(map[string]any)
		for name, p := range props {
			walk(p, where+"."+name, false)
		}
		walk(m["items"], where+"[]", false)
		if sub, ok := m["additionalProperties"].(map[string]any); ok {
			walk(sub, where+".*", false)
		}
	}
	paths, _ := root["paths"].(map[string]any)
	n := 0
	for pattern, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			body := deref(root, obj(op, "requestBody"))
			media := obj(obj(body, "content"), "application/json")
			if media == nil {
				continue
			}
			n++
			walk(media["schema"], strings.ToUpper(method)+" "+pattern, false)
		}
	}
	if n < 40 {
		t.Fatalf("found %d JSON request bodies; the walk is broken", n)
	}
}
