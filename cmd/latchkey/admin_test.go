package main

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// The admin listener's variables must not include the command line, which may hold secrets.
func TestAdminVarsHideTheCommandLine(t *testing.T) {
	rec := httptest.NewRecorder()
	serveVars(rec, httptest.NewRequest("GET", "/debug/vars", nil))
	var vars map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &vars); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, rec.Body.String())
	}
	if _, ok := vars["cmdline"]; ok {
		t.Fatal("cmdline is published")
	}
	if _, ok := vars["memstats"]; !ok {
		t.Fatal("the standard variables are missing")
	}
}
