package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthExitsByTheAnswer(t *testing.T) {
	ready := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path != "/readyz":
			http.NotFound(w, r)
		case ready:
			w.Write([]byte(`{"status":"ready"}`))
		default:
			http.Error(w, `{"status":"not ready"}`, http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	code, stdout, stderr := runCapture(t, "health", "--url", srv.URL+"/readyz")
	if code != 0 || !strings.Contains(stdout, "200") {
		t.Fatalf("ready server: status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// Without --url, the address comes from LATCHKEY_LISTEN.
	t.Setenv("LATCHKEY_LISTEN", strings.TrimPrefix(srv.URL, "http://"))
	if code, _, stderr := runCapture(t, "health"); code != 0 {
		t.Fatalf("health at LATCHKEY_LISTEN: status %d, stderr %q", code, stderr)
	}
	ready = false
	code, _, stderr = runCapture(t, "health")
	if code != 1 || !strings.Contains(stderr, "503") {
		t.Fatalf("unready server: status %d, stderr %q", code, stderr)
	}
	srv.Close()
	if code, _, stderr := runCapture(t, "health", "--url", srv.URL+"/readyz"); code != 1 || !strings.Contains(stderr, "not healthy") {
		t.Fatalf("no server: status %d, stderr %q", code, stderr)
	}
}

func TestReadyURL(t *testing.T) {
	for addr, want := range map[string]string{
		"0.0.0.0:8080":   "http://127.0.0.1:8080/readyz",
		":8080":          "http://127.0.0.1:8080/readyz",
		"[::]:9000":      "http://[::1]:9000/readyz",
		"localhost:8080": "http://127.0.0.1:8080/readyz",
		"10.0.0.5:8443":  "http://10.0.0.5:8443/readyz",
	} {
		if got, err := readyURL(addr); err != nil || got != want {
			t.Errorf("readyURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	if _, err := readyURL("nowhere"); err == nil {
		t.Error("an address without a port was accepted")
	}
}
