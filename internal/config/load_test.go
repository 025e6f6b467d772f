package config

import (
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loadFrom loads with a file of the given text at "latchkey.yaml" (none when file is empty).
func loadFrom(t *testing.T, file string, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	set := flag.NewFlagSet("test", flag.ContinueOnError)
	set.SetOutput(io.Discard)
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	c, _, err := LoadFrom(set, Sources{
		Args:    args,
		Getenv:  func(k string) string { return env[k] },
		Environ: environ,
		ReadFile: func(name string) ([]byte, error) {
			if name != "latchkey.yaml" || file == "" {
				return nil, fs.ErrNotExist
			}
			return []byte(file), nil
		},
	})
	return c, err
}

// The one precedence order: defaults, then the file, then the environment, then flags.
func TestFileEnvironmentFlagsPrecedence(t *testing.T) {
	file := "listen: 127.0.0.1:7001\ndatabase: file.db\naccess-token-ttl: 20m\ndb-max-conns: 7\n"
	c, err := loadFrom(t, file, map[string]string{"LATCHKEY_CONFIG": "latchkey.yaml", "LATCHKEY_DATABASE": "env.db", "LATCHKEY_LISTEN": "127.0.0.1:7002"},
		"--listen", "127.0.0.1:7003")
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:7003" || c.Database != "env.db" || c.AccessTokenTTL != 20*time.Minute || c.DatabaseMaxConns != 7 {
		t.Fatalf("got listen %q database %q access %v conns %d", c.Listen, c.Database, c.AccessTokenTTL, c.DatabaseMaxConns)
	}
	want := map[string]string{"listen": FromFlag, "database": FromEnv, "access-token-ttl": FromFile, "db-max-conns": FromFile}
	for k, v := range want {
		if c.Origins[k] != v {
			t.Errorf("origin of %s: %q, want %q", k, c.Origins[k], v)
		}
	}
	if c.Origins["mode"] != "" {
		t.Errorf("mode was not set but has origin %q", c.Origins["mode"])
	}
	// --config names the file too, before LATCHKEY_CONFIG.
	c, err = loadFrom(t, file, map[string]string{"LATCHKEY_CONFIG": "other.yaml"}, "--config=latchkey.yaml")
	if err != nil || c.Database != "file.db" || c.File != "latchkey.yaml" {
		t.Fatalf("--config=: database %q file %q err %v", c.Database, c.File, err)
	}
	c, err = loadFrom(t, file, nil, "-config", "latchkey.yaml")
	if err != nil || c.Database != "file.db" {
		t.Fatalf("-config FILE: database %q err %v", c.Database, err)
	}
}

// A misspelt key or variable is a warning in development and an error in production, and
// says what was probably meant.
func TestUnknownKeysAndVariables(t *testing.T) {
	file := "smtp-ulr: smtp://mail:25\n"
	env := map[string]string{"LATCHKEY_CONFIG": "latchkey.yaml", "LATCHKEY_SMTP_ULR": "smtp://x:25", "LATCHKEY_NEW_MASTER_KEY": "known elsewhere"}
	c, err := loadFrom(t, file, env)
	if err != nil {
		t.Fatalf("development refused unknown names: %v", err)
	}
	all := strings.Join(c.Warnings, "\n")
	if len(c.Warnings) != 2 || !strings.Contains(all, `"smtp-ulr" (did you mean "smtp-url"?)`) ||
		!strings.Contains(all, `LATCHKEY_SMTP_ULR (did you mean "LATCHKEY_SMTP_URL"?)`) || !strings.Contains(all, "line 1") {
		t.Fatalf("warnings: %q", c.Warnings)
	}
	env["LATCHKEY_MODE"] = ModeProduction
	env["LATCHKEY_PUBLIC_URL"] = "https://auth.example.com"
	env["LATCHKEY_MASTER_KEY_FILE"] = "/run/secrets/master"
	_, err = loadFrom(t, file, env)
	if err == nil || !strings.Contains(err.Error(), "LATCHKEY_SMTP_ULR") || !strings.Contains(err.Error(), "smtp-ulr") {
		t.Fatalf("production accepted unknown names: %v", err)
	}
}

// Bad files are refused with where the problem is.
func TestBadConfigurationFiles(t *testing.T) {
	for name, tc := range map[string]struct{ file, want string }{
		"not a mapping":   {"- listen\n", "want a mapping"},
		"nested value":    {"listen:\n  host: a\n", "must be a single value"},
		"bad duration":    {"\n\naccess-token-ttl: soon\n", `line 3: access-token-ttl: "soon" is not a duration`},
		"bad number":      {"db-max-conns: many\n", "not a whole number"},
		"duplicate key":   {"listen: a:1\nlisten: b:2\n", "already defined"},
		"invalid value":   {"mode: staging\n", `not "staging"`},
		"unreadable":      {"", "configuration file"},
		"not YAML at all": {"listen: [\n", "configuration file latchkey.yaml"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadFrom(t, tc.file, map[string]string{"LATCHKEY_CONFIG": "latchkey.yaml"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
	// An empty file is no configuration, not an error.
	if _, err := loadFrom(t, "# nothing yet\n", map[string]string{"LATCHKEY_CONFIG": "latchkey.yaml"}); err != nil {
		t.Fatalf("empty file: %v", err)
	}
}

// What `latchkey config check` shows masks every secret, including passwords in URLs.
func TestEffectiveMasksSecrets(t *testing.T) {
	c, err := loadFrom(t, "", map[string]string{
		"LATCHKEY_MASTER_KEY":           "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=",
		"LATCHKEY_SMTP_URL":             "smtp://mailer:hunter2@mail.example.com:587?from=a@example.com",
		"LATCHKEY_DATABASE":             "postgres://app:pgpass@db:5432/latchkey?sslmode=require",
		"LATCHKEY_TWILIO_AUTH_TOKEN":    "twiliotoken",
		"LATCHKEY_SMS_PROVIDER":         "twilio",
		"LATCHKEY_TWILIO_ACCOUNT_SID":   testSID,
		"LATCHKEY_TWILIO_FROM":          "+15550100",
		"LATCHKEY_EMAIL_PROVIDER":       "webhook",
		"LATCHKEY_EMAIL_WEBHOOK_URL":    "https://hooks.example.com/mail?secret=abc",
		"LATCHKEY_EMAIL_WEBHOOK_SECRET": testSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, l := range c.Effective() {
		all.WriteString(l.Key + ": " + l.Value + " # " + l.Origin + "\n")
	}
	out := all.String()
	for _, secret := range []string{"c2VjcmV0", "hunter2", "pgpass", "twiliotoken", testSecret, "secret=abc"} {
		if strings.Contains(out, secret) {
			t.Errorf("%q shown:\n%s", secret, out)
		}
	}
	for _, shown := range []string{"smtp://mailer:********@mail.example.com:587", "postgres://app:********@db:5432/latchkey", "listen: 127.0.0.1:8080 # default", "database: postgres://app:********@db:5432/latchkey?sslmode=require # env"} {
		if !strings.Contains(out, shown) {
			t.Errorf("%q not shown:\n%s", shown, out)
		}
	}
}

// The file is read from disk when no reader is given.
func TestConfigFileOnDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latchkey.yaml")
	if err := os.WriteFile(path, []byte("database: disk.db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	set := flag.NewFlagSet("test", flag.ContinueOnError)
	c, _, err := LoadFrom(set, Sources{Args: []string{"--config", path}, Getenv: func(string) string { return "" }})
	if err != nil || c.Database != "disk.db" {
		t.Fatalf("database %q err %v", c.Database, err)
	}
}
