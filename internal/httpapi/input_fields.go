package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/latchkey/latchkey/internal/fault"
)

// A JSON request body's fields are checked against the schema that /openapi.json publishes for
// its operation, after the handler's typed decoding has accepted the body: a field the document
// does not name is refused with a 400 that names it, where it would otherwise be dropped (a typo
// such as fist_name for first_name). The document is the contract the server keeps: every object
// a request body may hold either lists its fields and says additionalProperties: false, or is
// free-form (custom data), and TestRequestSchemasSayWhichFieldsTheyTake keeps it so. Fields
// Mosaic documents that Latchkey does not act on are listed too, and described as accepted and
// ignored, so a Mosaic integration's bodies pass.
//
// Values (required fields, ranges, formats, enumerations) stay with the domain's validation,
// which gives Mosaic's error codes and lists every problem at once; the bad-input suite checks
// that it refuses what the document's constraints refuse.
//
// Form bodies (the OAuth endpoints) are not checked this way: RFC 6749 section 3.2 requires an
// authorization server to ignore parameters it does not recognise.

// fieldSet is what a schema says of the members of an object, and of the elements of an array,
// at every depth: the union over allOf, oneOf and anyOf, since a field any branch names is a
// field of the operation.
type fieldSet struct {
	known map[string]*fieldSet // named members; nil for a schema that names none
	open  bool                 // members it does not name are allowed
	other *fieldSet            // what a member it does not name holds, when open with a schema
	items *fieldSet            // what an array's elements hold
}

// requestFields holds the field set of every operation with a JSON request body, by
// "METHOD pattern".
type requestFields map[string]*fieldSet

var (
	requestFieldsOnce sync.Once
	requestFieldsSet  requestFields
	requestFieldsErr  error
)

// loadRequestFields reads the embedded document once per process.
func loadRequestFields() (requestFields, error) {
	requestFieldsOnce.Do(func() { requestFieldsSet, requestFieldsErr = buildRequestFields(openAPI) })
	return requestFieldsSet, requestFieldsErr
}

func buildRequestFields(raw []byte) (requestFields, error) {
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	out := requestFields{}
	paths, _ := root["paths"].(map[string]any)
	for pattern, item := range paths {
		ops, _ := item.(map[string]any)
		for method, v := range ops {
			op, _ := v.(map[string]any)
			body := deref(root, op["requestBody"])
			content, _ := body["content"].(map[string]any)
			media, ok := content["application/json"].(map[string]any)
			if !ok {
				continue
			}
			b := fieldBuilder{root: root, seen: map[string]*fieldSet{}}
			out[strings.ToUpper(method)+" "+pattern] = b.build(media["schema"])
		}
	}
	return out, nil
}

// deref follows local references ("#/components/...") to the object they name.
func deref(root map[string]any, v any) map[string]any {
	for range 16 {
		m, _ := v.(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var cur any = root
		for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			next, _ := cur.(map[string]any)
			cur = next[strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)]
		}
		v = cur
	}
	return nil
}

// fieldBuilder turns schemas into field sets; seen ends recursion through references.
type fieldBuilder struct {
	root map[string]any
	seen map[string]*fieldSet
}

func (b *fieldBuilder) build(v any) *fieldSet {
	if m, ok := v.(map[string]any); ok {
		if ref, ok := m["$ref"].(string); ok {
			if fs, ok := b.seen[ref]; ok {
				return fs
			}
			fs := &fieldSet{}
			b.seen[ref] = fs
			b.merge(fs, deref(b.root, m))
			return fs
		}
	}
	fs := &fieldSet{}
	b.merge(fs, deref(b.root, v))
	return fs
}

// merge adds what schema s says to fs.
func (b *fieldBuilder) merge(fs *fieldSet, s map[string]any) {
	if s == nil {
		return
	}
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		list, _ := s[k].([]any)
		for _, branch := range list {
			b.merge(fs, deref(b.root, branch))
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		if fs.known == nil {
			fs.known = map[string]*fieldSet{}
		}
		for name, p := range props {
			if prev, ok := fs.known[name]; ok {
				b.merge(prev, deref(b.root, p))
				continue
			}
			fs.known[name] = b.build(p)
		}
	}
	switch ap := s["additionalProperties"].(type) {
	case bool:
		fs.open = fs.open || ap
	case map[string]any:
		fs.open = true
		fs.other = b.build(ap)
	}
	if _, ok := s["additionalProperties"]; !ok && s["properties"] == nil && s["unevaluatedProperties"] == nil && isObjectSchema(s) {
		fs.open = true // a free-form object, such as custom data, or a value of any type
	}
	if items, ok := s["items"]; ok {
		fs.items = b.build(items)
	}
}

// isObjectSchema reports whether a schema allows an object, with no type said or with object
// among its types, and says nothing of its members through composition (a schema made of
// branches is described by its branches).
func isObjectSchema(s map[string]any) bool {
	if s["allOf"] != nil || s["oneOf"] != nil || s["anyOf"] != nil {
		return false
	}
	switch t := s["type"].(type) {
	case nil:
		// A schema of no type takes any value, unless it is a composition's branch that
		// only requires some of the composed schema's fields.
		return s["required"] == nil && s["not"] == nil
	case string:
		return t == "object"
	case []any:
		for _, x := range t {
			if x == "object" {
				return true
			}
		}
	}
	return false
}

type fieldSetKey struct{}

// withRequestFields gives the request's handler the fields its JSON body may have.
func withRequestFields(r *http.Request, fs *fieldSet) *http.Request {
	if fs == nil {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), fieldSetKey{}, fs))
}

func requestFieldsOf(ctx context.Context) *fieldSet {
	fs, _ := ctx.Value(fieldSetKey{}).(*fieldSet)
	return fs
}

// maxUnknownFields bounds the unknown fields one answer lists.
const maxUnknownFields = 10

// member returns what fs lets an object's member called name hold (nil: anything), and
// whether fs names it at all. A nil fs checks nothing.
func (fs *fieldSet) member(name string) (*fieldSet, bool) {
	switch {
	case fs == nil:
		return nil, true
	case fs.known[name] != nil:
		return fs.known[name], true
	case fs.open:
		return fs.other, true // nil when free-form: whatever it holds is the caller's
	}
	return nil, false
}

// elements returns what fs lets an array's elements hold (nil: anything).
func (fs *fieldSet) elements() *fieldSet {
	if fs == nil {
		return nil
	}
	return fs.items
}

// joinPlace names a member of the value at parent, as jsonPath names places.
func joinPlace(parent, name string) string {
	if parent == "body" {
		return name
	}
	return parent + "." + name
}

// unknownFields refuses a body for the fields its schema does not name, listed by their place
// in the body (client_attributes.user_agnet, secondary_emails[0].emial), or accepts it.
func unknownFields(unknown []string) error {
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	unknown = slices.Compact(unknown)
	if len(unknown) > maxUnknownFields {
		unknown = unknown[:maxUnknownFields]
	}
	problems := make([]string, len(unknown))
	for i, f := range unknown {
		problems[i] = "unknown field " + f
	}
	return fault.Validation(problems...)
}
