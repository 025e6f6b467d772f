package e2e

import (
	"bytes"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/latchkey/latchkey/internal/httpapi"
)

// checkAgainstOpenAPI validates one exchange against the OpenAPI document: the operation must
// be documented (a path no route serves may only answer 404 or 405), the status must be one of
// the operation's, a 204 must have no body, and a JSON body must match the status's schema.
// It reports with t.Errorf so that it is safe on any goroutine.
func checkAgainstOpenAPI(t *testing.T, api *httpapi.Server, req *http.Request, res response) {
	t.Helper()
	s, err := loadSpec()
	if err != nil {
		t.Errorf("OpenAPI document does not load: %v", err)
		return
	}
	method := req.Method
	if method == http.MethodHead {
		method = http.MethodGet // http.ServeMux serves HEAD with the GET route
	}
	path := req.URL.EscapedPath()
	where := req.Method + " " + req.URL.Path
	op := s.find(method, path)
	if op == nil {
		checkUnknownRoute(t, s, api, method, path, where, res)
		return
	}
	where += " (" + op.id + ")"
	status := strconv.Itoa(res.Status)
	doc, ok := op.responses[status]
	if !ok {
		t.Errorf("OpenAPI: %s answered status %s, which the document does not list (it lists %s); body: %s",
			where, status, strings.Join(op.documented(), ", "), excerpt(res.Body))
		return
	}
	for _, h := range doc.headers {
		if res.Header.Get(h) == "" {
			t.Errorf("OpenAPI: %s status %s lacks the required header %s", where, status, h)
		}
	}
	if res.Status == http.StatusNoContent && len(res.Body) != 0 {
		t.Errorf("OpenAPI: %s answered 204 with a body: %s", where, excerpt(res.Body))
		return
	}
	if len(doc.media) == 0 {
		if len(res.Body) != 0 {
			t.Errorf("OpenAPI: %s status %s documents no body but got: %s", where, status, excerpt(res.Body))
		}
		return
	}
	if req.Method == http.MethodHead {
		return
	}
	ct := res.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	switch {
	case doc.schema != nil && isJSON(ct):
		validateBody(t, doc.schema, where, status, res.Body)
	case !slices.Contains(doc.media, mt):
		t.Errorf("OpenAPI: %s status %s answered Content-Type %q; the document lists %s; body: %s",
			where, status, ct, strings.Join(doc.media, ", "), excerpt(res.Body))
	}
}

// checkUnknownRoute accepts an exchange the document does not describe only when no route
// serves it and the answer is 404 (the API's own not-found body) or 405.
func checkUnknownRoute(t *testing.T, s *spec, api *httpapi.Server, method, path, where string, res response) {
	t.Helper()
	var routes []httpapi.Route
	if api != nil {
		routes = api.Routes()
	}
	for _, rt := range routes {
		if rt.Method == method && matchSegments(strings.Split(rt.Pattern, "/"), path) {
			t.Errorf("OpenAPI: %s is served by the route %s %s, which the document does not describe",
				where, rt.Method, rt.Pattern)
			return
		}
	}
	switch res.Status {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		// Answered by the API's catch-all: when JSON, the body is the API's error.
		if isJSON(res.Header.Get("Content-Type")) {
			validateBody(t, s.unknownRoute, where+" (no route)", strconv.Itoa(res.Status), res.Body)
		}
	default:
		t.Errorf("OpenAPI: %s is not documented, and answered %d rather than 404 or 405; body: %s",
			where, res.Status, excerpt(res.Body))
	}
}

func validateBody(t *testing.T, sch *jsonschema.Schema, where, status string, body []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("OpenAPI: %s status %s: body is not JSON (%v): %s", where, status, err, excerpt(body))
		return
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("OpenAPI: %s status %s: body does not match the documented schema:\n%v\nbody: %s",
			where, status, err, excerpt(body))
	}
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// excerpt shortens a body for a failure message.
func excerpt(b []byte) string {
	const max = 600
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
