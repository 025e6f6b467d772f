package smtp

import (
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw  string
		want Config
	}{
		{"smtp://mail.example.com?from=no-reply@example.com",
			Config{Host: "mail.example.com", Port: 587, TLS: TLSStartTLS, From: "no-reply@example.com", Timeout: DefaultTimeout}},
		{"smtps://u%40x:p%3Ass@mail.example.com?from=Acme+%3Cno-reply@example.com%3E",
			Config{Host: "mail.example.com", Port: 465, TLS: TLSImplicit, Username: "u@x", Password: "p:ss",
				From: "Acme <no-reply@example.com>", Timeout: DefaultTimeout}},
		{"smtp://relay.internal?from=a@example.com&tls=none",
			Config{Host: "relay.internal", Port: 25, TLS: TLSNone, From: "a@example.com", Timeout: DefaultTimeout}},
		{"smtp://127.0.0.1:2525?from=a@example.com&tls=starttls&insecure_skip_verify=true&timeout=5s",
			Config{Host: "127.0.0.1", Port: 2525, TLS: TLSStartTLS, From: "a@example.com", InsecureSkipVerify: true, Timeout: 5 * time.Second}},
		{"smtp://user:pw@localhost:1025?from=a@example.com&tls=none",
			Config{Host: "localhost", Port: 1025, TLS: TLSNone, Username: "user", Password: "pw", From: "a@example.com", Timeout: DefaultTimeout}},
		{"smtp://[::1]:2525?from=a@example.com&tls=tls",
			Config{Host: "::1", Port: 2525, TLS: TLSImplicit, From: "a@example.com", Timeout: DefaultTimeout}},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.raw)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tt.raw, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseURL(%q) =\n %+v\nwant\n %+v", tt.raw, got, tt.want)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ raw, wantErr string }{
		{"http://mail.example.com?from=a@example.com", "scheme"},
		{"smtp://mail.example.com", "from is required"},
		{"smtp://mail.example.com?from=not-an-address", "not an email address"},
		{"smtp://?from=a@example.com", "host is required"},
		{"smtp://mail.example.com:99999?from=a@example.com", "out of range"},
		{"smtp://mail.example.com:abc?from=a@example.com", "malformed"},
		{"smtp://mail.example.com?from=a@example.com&tls=ssl", "tls must be"},
		{"smtps://mail.example.com?from=a@example.com&tls=starttls", "contradicts"},
		{"smtp://mail.example.com?from=a@example.com&frm=b", "unknown parameter"},
		{"smtp://mail.example.com?from=a@example.com&from=b@example.com", "more than once"},
		{"smtp://mail.example.com?from=a@example.com&insecure_skip_verify=true", "loopback"},
		{"smtp://u:p@mail.example.com?from=a@example.com&tls=none", "only over TLS"},
		{"smtp://mail.example.com?from=a@example.com&timeout=-1s", "timeout"},
	}
	for _, tt := range tests {
		_, err := ParseURL(tt.raw)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseURL(%q) error = %v, want one containing %q", tt.raw, err, tt.wantErr)
		}
	}
}

func TestParseURLErrorHidesPassword(t *testing.T) {
	_, err := ParseURL("smtp://user:s3cret@mail.example.com:bad?from=a@example.com")
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error reveals the password: %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{Host: "mail.example.com", From: "a@example.com"}); err != nil {
		t.Errorf("New with defaults: %v", err)
	}
	if _, err := New(Config{Host: "mail.example.com"}); err == nil {
		t.Error("New without from succeeded")
	}
	if _, err := New(Config{Host: "mail.example.com", From: "a@example.com", TLS: "bogus"}); err == nil {
		t.Error("New with an unknown TLS mode succeeded")
	}
}
