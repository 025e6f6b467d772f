package e2e

import (
	"bytes"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/latchkey/latchkey/internal/httpapi"
)

// specURL names the OpenAPI document inside the schema compiler; nothing is fetched from it.
const specURL = "https://latchkey.invalid/openapi.json"

// spec is the OpenAPI document, indexed and with every response schema compiled, so that each
// checked exchange costs a lookup and a validation.
type spec struct {
	ops []*specOp
	// unknownRoute is the body of the 404 that answers a path no route serves.
	unknownRoute *jsonschema.Schema
}

// specOp is one documented operation.
type specOp struct {
	method    string // upper case
	template  string // the documented path, e.g. /cis/v1/users/{user_id}
	id        string // operationId
	segments  []string
	responses map[string]*specResponse // by status code
}

// specResponse is one documented status of an operation.
type specResponse struct {
	schema  *jsonschema.Schema // nil when no JSON body is documented
	media   []string           // the documented media types of the body; none for no body
	headers []string           // headers the document marks required
}

var (
	specOnce   sync.Once
	loaded     *spec
	specLoadEr error
)

// loadSpec parses and compiles the embedded document once per test binary.
func loadSpec() (*spec, error) {
	specOnce.Do(func() { loaded, specLoadEr = compileSpec(httpapi.OpenAPI()) })
	return loaded, specLoadEr
}

func compileSpec(raw []byte) (*spec, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse document: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(specURL, doc); err != nil {
		return nil, fmt.Errorf("add document: %w", err)
	}
	root, _ := doc.(map[string]any)
	paths, _ := root["paths"].(map[string]any)
	s := &spec{}
	for template, item := range paths {
		ops, _ := item.(map[string]any)
		for method, v := range ops {
			op, ok := v.(map[string]any)
			if !ok || !isHTTPMethod(method) {
				continue
			}
			so, err := compileOp(c, root, template, method, op)
			if err != nil {
				return nil, err
			}
			s.ops = append(s.ops, so)
		}
	}
	sort.Slice(s.ops, func(i, j int) bool { return s.ops[i].template+s.ops[i].method < s.ops[j].template+s.ops[j].method })
	s.unknownRoute, err = c.Compile(specURL + "#/components/schemas/Error")
	if err != nil {
		return nil, fmt.Errorf("compile Error: %w", err)
	}
	return s, nil
}

func compileOp(c *jsonschema.Compiler, root map[string]any, template, method string, op map[string]any) (*specOp, error) {
	id, _ := op["operationId"].(string)
	so := &specOp{
		method: strings.ToUpper(method), template: template, id: id,
		segments: strings.Split(template, "/"), responses: map[string]*specResponse{},
	}
	responses, _ := op["responses"].(map[string]any)
	for status, v := range responses {
		ptr := []string{"paths", template, method, "responses", status}
		resp, ptr, err := resolveRef(root, v, ptr)
		if err != nil {
			return nil, fmt.Errorf("%s %s %s: %w", so.method, template, status, err)
		}
		sr := &specResponse{}
		if content, ok := resp["content"].(map[string]any); ok {
			for mt := range content {
				sr.media = append(sr.media, mt)
			}
			sort.Strings(sr.media)
			if _, ok := content["application/json"]; ok {
				loc := specURL + "#" + pointer(append(ptr, "content", "application/json", "schema")...)
				if sr.schema, err = c.Compile(loc); err != nil {
					return nil, fmt.Errorf("%s %s %s: compile schema: %w", so.method, template, status, err)
				}
			}
		}
		headers, _ := resp["headers"].(map[string]any)
		for name, h := range headers {
			hv, _, err := resolveRef(root, h, nil)
			if err != nil {
				return nil, fmt.Errorf("%s %s %s: header %s: %w", so.method, template, status, name, err)
			}
			if req, _ := hv["required"].(bool); req {
				sr.headers = append(sr.headers, name)
			}
		}
		so.responses[status] = sr
	}
	return so, nil
}

// resolveRef follows a local $ref (a Reference Object) and returns the object with its JSON
// pointer tokens; ptr is the object's own location when it is not a reference.
func resolveRef(root map[string]any, v any, ptr []string) (map[string]any, []string, error) {
	for range 10 {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("not an object")
		}
		ref, ok := obj["$ref"].(string)
		if !ok {
			return obj, ptr, nil
		}
		if !strings.HasPrefix(ref, "#/") {
			return nil, nil, fmt.Errorf("$ref %q is not local", ref)
		}
		ptr = nil
		var cur any = root
		for _, tok := range strings.Split(ref[2:], "/") {
			tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
			m, _ := cur.(map[string]any)
			if cur, ok = m[tok]; !ok {
				return nil, nil, fmt.Errorf("$ref %q does not resolve", ref)
			}
			ptr = append(ptr, tok)
		}
		v = cur
	}
	return nil, nil, fmt.Errorf("$ref chain too long")
}

// pointer builds a URL fragment holding the JSON pointer to tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		t = strings.NewReplacer("~", "~0", "/", "~1").Replace(t)
		b.WriteString("/" + url.PathEscape(t))
	}
	return b.String()
}

func isHTTPMethod(m string) bool {
	switch m {
	case "get", "put", "post", "delete", "options", "head", "patch", "trace":
		return true
	}
	return false
}

// find returns the operation serving method and an escaped request path, or nil. When several
// templates match, the one with a literal segment where the others have a parameter wins, as
// in http.ServeMux.
func (s *spec) find(method, escapedPath string) *specOp {
	var best *specOp
	for _, op := range s.ops {
		if op.method != method || !matchSegments(op.segments, escapedPath) {
			continue
		}
		if best == nil || moreSpecific(op.segments, best.segments) {
			best = op
		}
	}
	return best
}

// matchSegments reports whether an escaped request path fits a template split on "/". A
// parameter matches one non-empty segment; a literal must equal the unescaped segment.
func matchSegments(template []string, escapedPath string) bool {
	segs := strings.Split(escapedPath, "/")
	if len(segs) != len(template) {
		return false
	}
	for i, t := range template {
		seg, err := url.PathUnescape(segs[i])
		if err != nil {
			return false
		}
		if isParam(t) {
			if seg == "" {
				return false
			}
			continue
		}
		if seg != t {
			return false
		}
	}
	return true
}

func isParam(seg string) bool {
	return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}")
}

// moreSpecific reports whether template a beats b: at the first segment where one has a
// literal and the other a parameter, a has the literal.
func moreSpecific(a, b []string) bool {
	for i := range a {
		pa, pb := isParam(a[i]), isParam(b[i])
		if pa != pb {
			return pb
		}
	}
	return false
}

// documented lists the documented statuses of op, for failure messages.
func (op *specOp) documented() []string {
	out := make([]string, 0, len(op.responses))
	for k := range op.responses {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
