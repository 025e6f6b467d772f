package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/password"
)

// Error lists every configuration problem.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// Problems returns every invalid setting of c.
func (c *Config) Problems() []string {
	var p []string
	if c.Mode != ModeDevelopment && c.Mode != ModeProduction {
		p = append(p, fmt.Sprintf("mode must be %q or %q, not %q", ModeDevelopment, ModeProduction, c.Mode))
	}
	if c.Listen == "" || !strings.Contains(c.Listen, ":") {
		p = append(p, fmt.Sprintf("listen must be host:port, not %q", c.Listen))
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		p = append(p, fmt.Sprintf("public URL must be an absolute http(s) URL without query or fragment, not %q", c.PublicURL))
	} else if c.Mode == ModeProduction && u.Scheme != "https" {
		p = append(p, "public URL must use https in production")
	}
	if c.Issuer != "" {
		if u, err := url.Parse(c.Issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			p = append(p, fmt.Sprintf("issuer must be an absolute http(s) URL without credentials, query or fragment, not %q", c.Issuer))
		} else if c.Mode == ModeProduction && u.Scheme != "https" {
			p = append(p, "issuer must use https in production")
		}
	}
	if c.Database == "" {
		p = append(p, "database is required: a SQLite file path or a postgres:// URL")
	}
	if c.Mode == ModeProduction && c.MasterKey == "" && c.MasterKeyFile == "" {
		p = append(p, "a master key is required in production: set LATCHKEY_MASTER_KEY or LATCHKEY_MASTER_KEY_FILE")
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			p = append(p, "SMTP URL must look like smtp://user:pass@host:587?from=addr or smtps://...")
		}
	}
	p = append(p, c.providerProblems()...)
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		p = append(p, fmt.Sprintf("log level must be debug, info, warn or error, not %q", c.LogLevel))
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		p = append(p, fmt.Sprintf("log format must be json or text, not %q", c.LogFormat))
	}
	positive := func(name string, d time.Duration) {
		if d <= 0 {
			p = append(p, name+" must be positive")
		}
	}
	positive("access token TTL", c.AccessTokenTTL)
	positive("ID token TTL", c.IDTokenTTL)
	positive("refresh token TTL", c.RefreshTokenTTL)
	positive("session TTL", c.SessionTTL)
	positive("session idle timeout", c.SessionIdleTimeout)
	p = append(p, c.adminProblems()...)
	if c.RefreshGrace < 0 || c.RefreshGrace > time.Minute {
		p = append(p, "refresh grace must be between 0s and 1m")
	}
	positive("shutdown timeout", c.ShutdownTimeout)
	positive("GC interval", c.GCInterval)
	if c.OutboxRetention < time.Minute || c.OutboxRetention > 90*24*time.Hour {
		p = append(p, "outbox retention must be between 1m and 2160h (90 days)")
	}
	if c.AuditRetention != 0 && (c.AuditRetention < time.Hour || c.AuditRetention > 10*366*24*time.Hour) {
		p = append(p, "audit retention must be 0 (keep forever) or between 1h and 87840h (10 years)")
	}
	if c.AnswerGrid != 0 && (c.AnswerGrid < time.Millisecond || c.AnswerGrid > time.Second) {
		p = append(p, "answer grid must be 0 (by database) or between 1ms and 1s")
	}
	if c.ConfigCacheTTL < 0 || c.ConfigCacheTTL > time.Minute {
		p = append(p, "config cache TTL must be between 0s and 1m")
	}
	if c.KeyCacheTTL < time.Second || c.KeyCacheTTL > 5*time.Minute {
		p = append(p, "key cache TTL must be between 1s and 5m")
	}
	if c.DatabaseMaxConns < 2 || c.DatabaseMaxConns > 1000 {
		p = append(p, "database max connections must be between 2 and 1000")
	}
	if params, err := password.ParseParams(c.PasswordHash); err != nil {
		p = append(p, "password hash: "+err.Error())
	} else {
		for _, q := range params.Problems() {
			p = append(p, "password hash: "+q)
		}
	}
	if c.PasswordWorkers < 0 || c.PasswordWorkers > 1024 {
		p = append(p, "password workers must be between 0 (one per CPU) and 1024")
	}
	if c.PasswordQueue < 0 || c.PasswordQueue > 1_000_000 {
		p = append(p, "password queue must be between 0 (32 per worker) and 1000000")
	}
	if c.PasswordImportCost < 1 || c.PasswordImportCost > 1000 {
		p = append(p, "password import cost must be between 1 and 1000")
	}
	if _, err := c.TrustedProxyPrefixes(); err != nil {
		p = append(p, err.Error())
	}
	p = append(p, c.tracingProblems()...)
	return p
}

// IsConfigError reports whether err lists configuration problems.
func IsConfigError(err error) bool {
	var ce *Error
	return errors.As(err, &ce)
}
