package httpapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
)

func TestCheckJSONTextNamesTheField(t *testing.T) {
	for body, want := range map[string]string{
		`{"a":"x\u0000y"}`:                              "a must be",
		"{\"a\":{\"b\":[\"ok\",\"x\xffy\"]}}":           "a.b[1] must be",
		`{"client_attributes":{"user_agent":"\u0000"}}`: "client_attributes.user_agent must be",
		`{"custom_data":{"k\u0000":1}}`:                 "a field name in custom_data must be",
		"{\"\xff\":1}":                                  "a field name in body must be",
		`{"a":"\ud800"}`:                                "a must be",
		`{"a":"\udc00\ud800"}`:                          "a must be",
		`{"a":"x\ud83d"}`:                               "a must be",
		`{"a":[{"b":1},{"c":"\ud83dx"}]}`:               "a[1].c must be",
		`["\u0000"]`:                                    "[0] must be",
	} {
		err := checkJSONText([]byte(body), nil)
		if err == nil || !strings.HasPrefix(fault.As(err).Message, want) || fault.As(err).Code != fault.CodeInvalidInput {
			t.Errorf("%q: got %v, want a fault starting %q", body, err, want)
		}
	}
	for _, body := range []string{
		`{}`, `{"a":"plain"}`, `{"a":"\ud83d\ude00 emoji by escapes"}`, `{"a":"😀 literal"}`,
		`{"a":"\ufffd written as an escape","b":"` + "\uFFFD" + ` literal"}`, `{"a":"back\\u0000slash"}`,
		`{"a":"\\\ud83d\ude00"}`, `{"a":[1,true,null,{"b":"c"}]}`,
	} {
		if err := checkJSONText([]byte(body), nil); err != nil {
			t.Errorf("%s: refused good text: %v", body, err)
		}
	}
}

func TestDecodeJSONRefusesBadTextInUnknownFields(t *testing.T) {
	var dst struct {
		Known string `json:"known"`
	}
	err := decodeJSONBytes([]byte(`{"known":"ok","extra":{"deep":["\u0000"]}}`), &dst, nil)
	if err == nil || !strings.Contains(fault.As(err).Message, "extra.deep[0]") {
		t.Fatalf("got %v, want the unknown field named", err)
	}
	// An unknown number no float64 holds must not end the check before the NUL after it.
	err = decodeJSONBytes([]byte(`{"huge":1e400,"extra":"\u0000"}`), &dst, nil)
	if err == nil || !strings.Contains(fault.As(err).Message, "extra") {
		t.Fatalf("got %v, want extra named", err)
	}
}

// TestHandlersReadInputThroughDecoders keeps the one decoding layer the only reader of
// request bodies and forms: outside input.go, input_fields.go and encode.go, no source file of this package
// touches a request's Body, parses a form, or decodes JSON by itself. Path, query and
// headers need no such rule: the route wrappers check them whole before any handler runs.
func TestHandlersReadInputThroughDecoders(t *testing.T) {
	allowed := map[string]bool{"input.go": true, "input_fields.go": true, "encode.go": true}
	forbiddenCalls := map[string]bool{"ParseForm": true, "ParseMultipartForm": true, "FormValue": true,
		"PostFormValue": true, "FormFile": true, "MultipartReader": true, "NewDecoder": true, "Unmarshal": true, "ReadAll": true}
	forbiddenFields := map[string]bool{"Body": true, "Form": true, "PostForm": true, "MultipartForm": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || allowed[name] {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if forbiddenCalls[sel.Sel.Name] || forbiddenFields[sel.Sel.Name] && isRequestVar(sel.X) {
				t.Errorf("%s: %s reads request input outside the decoding layer; use decodeJSON or readForm",
					fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}

// isRequestVar reports the names handlers give their *http.Request.
func isRequestVar(x ast.Expr) bool {
	id, ok := x.(*ast.Ident)
	return ok && (id.Name == "r" || id.Name == "req")
}

func TestRequestTextNamesTheParameter(t *testing.T) {
	for target, want := range map[string]string{
		"/cis/v1/users/a%00b":      "user_id must be",
		"/cis/v1/users/a%FFb":      "user_id must be",
		"/cis/v1/users?search=%00": "query parameter search must be",
		"/cis/v1/users?%FF=1":      "a query parameter name must be",
	} {
		r := httptest.NewRequest("GET", target, nil)
		r.SetPathValue("user_id", strings.TrimPrefix(r.URL.Path, "/cis/v1/users/"))
		err := checkRequestText(r, "/cis/v1/users/{user_id}")
		if err == nil || !strings.HasPrefix(fault.As(err).Message, want) {
			t.Errorf("%s: got %v, want %q", target, err, want)
		}
	}
	r := httptest.NewRequest("GET", "/healthz", nil)
	r.Header.Set("User-Agent", "agent\xc0\x80")
	if err := checkRequestText(r, "/healthz"); err == nil || !strings.Contains(err.Error(), "header User-Agent") {
		t.Errorf("bad User-Agent: got %v", err)
	}
	r.Header.Set("User-Agent", "Mozilla/5.0 (café) ✓")
	if err := checkRequestText(r, "/healthz"); err != nil {
		t.Errorf("good User-Agent refused: %v", err)
	}
}

// BenchmarkDecodeLoginBody measures decodeJSONBytes on a typical login body, text check
// included; BenchmarkCheckJSONText the text check alone.
func BenchmarkDecodeLoginBody(b *testing.B) {
	body := []byte(`{"username":"ada@example.com","username_type":"email","password":"Lantern-Quartz-7291",` +
		`"resource":"https://api.example.com/","claims":{"id_token":{"email":null,"phone_number":{"essential":true}}},` +
		`"client_attributes":{"user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36","ip_address":"203.0.113.7"}}`)
	b.ReportAllocs()
	for b.Loop() {
		var in passwordAuthenticateJSON
		if err := decodeJSONBytes(body, &in, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckJSONText(b *testing.B) {
	body := []byte(`{"username":"ada@example.com","username_type":"email","password":"Lantern-Quartz-7291",` +
		`"resource":"https://api.example.com/","claims":{"id_token":{"email":null,"phone_number":{"essential":true}}},` +
		`"client_attributes":{"user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36","ip_address":"203.0.113.7"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := checkJSONText(body, nil); err != nil {
			b.Fatal(err)
		}
	}
}
