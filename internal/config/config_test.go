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

func TestAnswerGrid(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want time.Duration
	}{
		{map[string]string{"LATCHKEY_DATABASE": "latchkey.db"}, 2 * time.Millisecond},
		{map[string]string{"LATCHKEY_DATABASE": "postgres://db/latchkey"}, 10 * time.Millisecond},
		{map[string]string{"LATCHKEY_DATABASE": "postgresql://db/latchkey"}, 10 * time.Millisecond},
		{map[string]string{"LATCHKEY_DATABASE": "postgres://db/latchkey", "LATCHKEY_ANSWER_GRID": "3ms"}, 3 * time.Millisecond},
	} {
		c, err := load(t, tc.env)
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if got := c.EffectiveAnswerGrid(); got != tc.want {
			t.Errorf("%v: answer grid %v, want %v", tc.env, got, tc.want)
		}
	}
	for _, bad := range []string{"500us", "2s", "-1ms"} {
		_, err := load(t, map[string]string{"LATCHKEY_ANSWER_GRID": bad})
		if err == nil || !strings.Contains(err.Error(), "answer grid") {
			t.Errorf("answer grid %s: %v, want a problem naming the answer grid", bad, err)
		}
	}
}

func TestLoadOffersOnlyTheNamedFlags(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c, _, err := Load(fs, []string{"--database", "flag.db"}, func(k string) string {
		return map[string]string{"LATCHKEY_LISTEN": "127.0.0.1:9000"}[k]
	}, "database", "mode")
	if err != nil {
		t.Fatal(err)
	}
	// A setting without a flag still comes from the environment.
	if c.Database != "flag.db" || c.Listen != "127.0.0.1:9000" {
		t.Fatalf("got database %q listen %q", c.Database, c.Listen)
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	// Every command that reads the configuration takes --config.
	if strings.Join(names, ",") != "config,database,mode" {
		t.Fatalf("flags offered: %v, want config, database and mode", names)
	}

	fs = flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, _, err := Load(fs, []string{"--listen", "127.0.0.1:1"}, func(string) string { return "" }, "database"); err == nil {
		t.Fatal("a flag the command does not offer was accepted")
	}
	fs = flag.NewFlagSet("test", flag.ContinueOnError)
	if _, _, err := Load(fs, nil, func(string) string { return "" }, "no-such-setting"); err == nil || !strings.Contains(err.Error(), "no-such-setting") {
		t.Fatalf("an unknown flag name: %v", err)
	}
}

func TestAdminSessionLimits(t *testing.T) {
	c, err := load(t, map[string]string{"LATCHKEY_ADMIN_IDLE_TIMEOUT": "10m", "LATCHKEY_ADMIN_MAX_AGE": "2h"})
	if err != nil {
		t.Fatal(err)
	}
	if c.AdminIdleTimeout != 10*time.Minute || c.AdminMaxAge != 2*time.Hour {
		t.Fatalf("idle %v, max age %v", c.AdminIdleTimeout, c.AdminMaxAge)
	}
	for _, bad := range []map[string]string{
		{"LATCHKEY_ADMIN_IDLE_TIMEOUT": "0s"},
		{"LATCHKEY_ADMIN_IDLE_TIMEOUT": "30s"},
		{"LATCHKEY_ADMIN_IDLE_TIMEOUT": "25h", "LATCHKEY_ADMIN_MAX_AGE": "48h"},
		{"LATCHKEY_ADMIN_MAX_AGE": "1m"},
		{"LATCHKEY_ADMIN_MAX_AGE": "200h"},
		{"LATCHKEY_ADMIN_IDLE_TIMEOUT": "2h", "LATCHKEY_ADMIN_MAX_AGE": "1h"},
	} {
		if _, err := load(t, bad); err == nil || !strings.Contains(err.Error(), "admin ") {
			t.Errorf("%v: %v, want a problem naming the admin session limit", bad, err)
		}
	}
}
