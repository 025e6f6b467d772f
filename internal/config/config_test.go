package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c, _, err := Load(fs, args, func(k string) string { return env[k] })
	return c, err
}

func TestDefaultsAreValid(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if c.Mode != ModeDevelopment || c.AccessTokenTTL != time.Hour {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := load(t, map[string]string{"LATCHKEY_LISTEN": "127.0.0.1:9000", "LATCHKEY_DATABASE": "env.db"}, "-listen", "127.0.0.1:9100")
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9100" || c.Database != "env.db" {
		t.Fatalf("got listen %q database %q", c.Listen, c.Database)
	}
}

func TestEveryProblemIsListed(t *testing.T) {
	_, err := load(t, map[string]string{
		"LATCHKEY_MODE":        "production",
		"LATCHKEY_PUBLIC_URL":  "http://example.com",
		"LATCHKEY_SESSION_TTL": "forever",
		"LATCHKEY_LOG_LEVEL":   "loud",
	})
	if err == nil || !IsConfigError(err) {
		t.Fatalf("want a configuration error, got %v", err)
	}
	for _, want := range []string{"LATCHKEY_SESSION_TTL", "https in production", "master key is required", "email provider is required", "SMTP URL", "log level"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

func TestMasterKeyFileDefaults(t *testing.T) {
	c := Default()
	c.Database = "/var/lib/latchkey/latchkey.db"
	if got := c.DefaultMasterKeyFile(); got != "/var/lib/latchkey/master.key" {
		t.Fatalf("got %q", got)
	}
	c.Database = "postgres://db/latchkey"
	if got := c.DefaultMasterKeyFile(); got != "data/master.key" {
		t.Fatalf("got %q", got)
	}
}
