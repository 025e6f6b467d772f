package config

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/password"
)

// Modes. Production refuses the conveniences of development: a generated master key, the
// console providers.
const (
	ModeDevelopment = "development"
	ModeProduction  = "production"
)

// Config is every setting of the latchkey binary.
type Config struct {
	Mode      string
	Listen    string
	PublicURL string
	// Issuer is the "iss" of every token and of the discovery document; empty means the
	// public URL. An integration that pins Mosaic's issuer (https://userid.security) sets it.
	Issuer string
	// Database is a SQLite file path, or a postgres:// URL.
	Database string
	// MasterKey (32 bytes, base64 or hex) encrypts signing keys and keys the hashes of secrets.
	MasterKey string
	// MasterKeyFile holds the master key; in development it is created when missing.
	MasterKeyFile string
	// SMTPURL is where email goes (smtp://user:pass@host:587?from=...); empty prints email to
	// the log in development.
	SMTPURL string
	// EmailProvider is smtp, webhook or console; empty means smtp when SMTPURL is set, else
	// console. EmailWebhookURL and EmailWebhookSecret configure webhook.
	EmailProvider      string
	EmailWebhookURL    string
	EmailWebhookSecret string
	// SMSProvider is console, twilio, webhook or none; empty means console in development and
	// none (no sms channel) in production.
	SMSProvider        string
	TwilioAccountSID   string
	TwilioAuthToken    string
	TwilioFrom         string
	TwilioMessagingSID string
	TwilioBaseURL      string
	SMSWebhookURL      string
	SMSWebhookSecret   string

	LogLevel  string
	LogFormat string

	AccessTokenTTL  time.Duration
	IDTokenTTL      time.Duration
	RefreshTokenTTL time.Duration
	// SessionTTL is the most a session can last; SessionIdleTimeout ends one in which no
	// tokens were issued for that long (two weeks, Mosaic's session lifetime).
	SessionTTL         time.Duration
	SessionIdleTimeout time.Duration
	// AdminIdleTimeout and AdminMaxAge limit admin portal sessions: see admin.go.
	AdminIdleTimeout time.Duration
	AdminMaxAge      time.Duration
	// RefreshGrace is how long a rotated refresh token still returns its successor.
	RefreshGrace    time.Duration
	ShutdownTimeout time.Duration
	GCInterval      time.Duration
	// OutboxRetention is how long finished outbox messages (delivered, suppressed, given up or
	// dropped) are kept, sealed, for inspection before collection deletes them.
	OutboxRetention time.Duration
	// AuditRetention is how long audit events are kept before collection deletes them; 0
	// keeps the audit log whole.
	AuditRetention time.Duration
	// AnswerGrid is the time grid on which answers that enumeration protection makes alike
	// leave (sends, passkey login starts, failed TOTP and recovery-code logins); 0 picks it by
	// database: 2ms on SQLite, 10ms on PostgreSQL, whose commits take longer. See
	// EffectiveAnswerGrid.
	AnswerGrid time.Duration
	// ConfigCacheTTL is how long a node serves tenants, applications and clients from memory.
	// A change made through another node reaches this one within it; 0 turns the copy off.
	ConfigCacheTTL time.Duration
	// KeyCacheTTL is how long a node keeps tenants' signing keys and the JWKS in memory; a
	// rotation made elsewhere reaches it within this time.
	KeyCacheTTL time.Duration
	// DatabaseMaxConns bounds a node's PostgreSQL connections, all kept open while in use;
	// the server's max_connections must cover every node's plus its reserved ones.
	DatabaseMaxConns int

	// PasswordHash are argon2id's parameters for new password hashes, in PHC form
	// ("m=19456,t=2,p=1": KiB of memory, passes, lanes). Stored hashes made with other
	// parameters are replaced at their next successful login.
	PasswordHash string
	// PasswordWorkers bounds how many password hashes run at once (0: one per CPU), and so the
	// memory they take; PasswordQueue how many more may wait (0: 32 per worker) before logins
	// are refused with 503.
	PasswordWorkers int
	PasswordQueue   int
	// PasswordImportCost is how many times the cost of a hash at PasswordHash (or at OWASP's
	// minimum, when that is lower) an imported hash may cost to verify; costlier imports are
	// refused, and costlier stored hashes are never computed.
	PasswordImportCost int

	// EmailTexts is a directory of <language>.yaml files whose texts replace or add to the
	// built-in wording of messages (see delivery.LoadTexts); empty uses the built-in texts.
	EmailTexts string

	// AdminListen is where the operator listener serves /metrics, /debug/pprof and
	// /debug/vars; empty turns it off, and an address without a host listens on loopback only.
	AdminListen string

	// OTLPEndpoint (the base URL of an OTLP/HTTP collector) and TraceSampleRatio (0 to 1)
	// configure tracing: see Tracing, in tracing.go.
	OTLPEndpoint, TraceSampleRatio string
	otlpStandardEnv                bool // a standard OTEL_EXPORTER_OTLP_*ENDPOINT is set

	// TrustedProxies lists, comma-separated, the addresses and CIDR networks of the load
	// balancers and reverse proxies in front of Latchkey. Only a request whose peer is one of
	// them has its client address read from X-Forwarded-For or Forwarded. Empty: every peer is
	// the client.
	TrustedProxies string

	// File is the configuration file read, if any.
	File string
	// Origins says where each setting (by flag name) got its value: FromFile, FromEnv or
	// FromFlag; a setting not in it has its default.
	Origins map[string]string
	// Warnings are what development forgives and production refuses: file keys and
	// environment variables that no setting reads.
	Warnings []string
}

// TokenIssuer is the issuer tokens are signed as and verified against: Issuer as given, or
// the public URL without a trailing slash.
func (c Config) TokenIssuer() string {
	if c.Issuer != "" {
		return c.Issuer
	}
	return strings.TrimSuffix(c.PublicURL, "/")
}

// Default returns the development defaults.
func Default() Config {
	return Config{
		Mode:               ModeDevelopment,
		Listen:             "127.0.0.1:8080",
		PublicURL:          "http://localhost:8080",
		Database:           filepath.Join("data", "latchkey.db"),
		TwilioBaseURL:      "https://api.twilio.com",
		LogLevel:           "info",
		LogFormat:          "json",
		AccessTokenTTL:     time.Hour,
		IDTokenTTL:         time.Hour,
		RefreshTokenTTL:    14 * 24 * time.Hour,
		SessionTTL:         365 * 24 * time.Hour,
		SessionIdleTimeout: 14 * 24 * time.Hour,
		AdminIdleTimeout:   30 * time.Minute,
		AdminMaxAge:        12 * time.Hour,
		RefreshGrace:       10 * time.Second,
		ShutdownTimeout:    15 * time.Second,
		GCInterval:         10 * time.Minute,
		OutboxRetention:    72 * time.Hour,
		AuditRetention:     400 * 24 * time.Hour,
		ConfigCacheTTL:     5 * time.Second,
		DatabaseMaxConns:   25,
		KeyCacheTTL:        30 * time.Second,
		PasswordHash:       password.DefaultParams().String(),
		PasswordImportCost: password.DefaultImportCost,
		TraceSampleRatio:   "1",
	}
}

// setting ties one field to its environment variable and flag.
type setting struct {
	env, flag, usage string
	// secret settings are masked wherever the configuration is shown.
	secret bool
	str    *string
	dur    *time.Duration
	num    *int
}

func (c *Config) settings() []setting {
	return []setting{
		{env: "LATCHKEY_MODE", flag: "mode", usage: "development or production", str: &c.Mode},
		{env: "LATCHKEY_LISTEN", flag: "listen", usage: "address to listen on", str: &c.Listen},
		{env: "LATCHKEY_PUBLIC_URL", flag: "public-url", usage: "externally visible base URL; the token issuer unless --issuer is set", str: &c.PublicURL},
		{env: "LATCHKEY_ISSUER", flag: "issuer", usage: "the iss of every token and of discovery, such as Mosaic's https://userid.security (default: the public URL)", str: &c.Issuer},
		{env: "LATCHKEY_DATABASE", flag: "database", usage: "SQLite file path or postgres:// URL", str: &c.Database},
		{env: "LATCHKEY_MASTER_KEY", flag: "master-key", secret: true, usage: "32-byte master key, base64 or hex (prefer the environment or a file)", str: &c.MasterKey},
		{env: "LATCHKEY_MASTER_KEY_FILE", flag: "master-key-file", usage: "file holding the master key (created in development when missing)", str: &c.MasterKeyFile},
		{env: "LATCHKEY_SMTP_URL", flag: "smtp-url", usage: "SMTP server URL, smtp://user:pass@host:587?from=addr (empty: print email to the log)", str: &c.SMTPURL},
		{env: "LATCHKEY_EMAIL_PROVIDER", flag: "email-provider", usage: "smtp, webhook or console (default: smtp when an SMTP URL is set, else console)", str: &c.EmailProvider},
		{env: "LATCHKEY_EMAIL_WEBHOOK_URL", flag: "email-webhook-url", usage: "URL that receives signed email messages (email provider webhook)", str: &c.EmailWebhookURL},
		{env: "LATCHKEY_EMAIL_WEBHOOK_SECRET", flag: "email-webhook-secret", secret: true, usage: "whsec_ signing secret of the email webhook (prefer the environment)", str: &c.EmailWebhookSecret},
		{env: "LATCHKEY_SMS_PROVIDER", flag: "sms-provider", usage: "console, twilio, webhook or none (default: console in development, none in production)", str: &c.SMSProvider},
		{env: "LATCHKEY_TWILIO_ACCOUNT_SID", flag: "twilio-account-sid", usage: "Twilio account SID (AC...)", str: &c.TwilioAccountSID},
		{env: "LATCHKEY_TWILIO_AUTH_TOKEN", flag: "twilio-auth-token", secret: true, usage: "Twilio auth token (prefer the environment)", str: &c.TwilioAuthToken},
		{env: "LATCHKEY_TWILIO_FROM", flag: "twilio-from", usage: "Twilio sending number (E.164) or alphanumeric sender id", str: &c.TwilioFrom},
		{env: "LATCHKEY_TWILIO_MESSAGING_SERVICE_SID", flag: "twilio-messaging-service-sid", usage: "Twilio Messaging Service SID (MG...), instead of or with a From", str: &c.TwilioMessagingSID},
		{env: "LATCHKEY_TWILIO_BASE_URL", flag: "twilio-base-url", usage: "Twilio API base URL", str: &c.TwilioBaseURL},
		{env: "LATCHKEY_SMS_WEBHOOK_URL", flag: "sms-webhook-url", usage: "URL that receives signed SMS messages (SMS provider webhook)", str: &c.SMSWebhookURL},
		{env: "LATCHKEY_SMS_WEBHOOK_SECRET", flag: "sms-webhook-secret", secret: true, usage: "whsec_ signing secret of the SMS webhook (prefer the environment)", str: &c.SMSWebhookSecret},
		{env: "LATCHKEY_LOG_LEVEL", flag: "log-level", usage: "debug, info, warn or error", str: &c.LogLevel},
		{env: "LATCHKEY_LOG_FORMAT", flag: "log-format", usage: "json or text", str: &c.LogFormat},
		{env: "LATCHKEY_ACCESS_TOKEN_TTL", flag: "access-token-ttl", usage: "access token lifetime", dur: &c.AccessTokenTTL},
		{env: "LATCHKEY_ID_TOKEN_TTL", flag: "id-token-ttl", usage: "ID token lifetime", dur: &c.IDTokenTTL},
		{env: "LATCHKEY_REFRESH_TOKEN_TTL", flag: "refresh-token-ttl", usage: "refresh token lifetime", dur: &c.RefreshTokenTTL},
		{env: "LATCHKEY_SESSION_TTL", flag: "session-ttl", usage: "the most a session can last, however often it is extended (a client's session_expiration overrides it)", dur: &c.SessionTTL},
		{env: "LATCHKEY_SESSION_IDLE_TIMEOUT", flag: "session-idle-timeout", usage: "end sessions in which no tokens were issued for this long; each login, refresh or silent login extends a session by it", dur: &c.SessionIdleTimeout},
		{env: "LATCHKEY_ADMIN_IDLE_TIMEOUT", flag: "admin-idle-timeout", usage: "end an admin portal session unused for this long", dur: &c.AdminIdleTimeout},
		{env: "LATCHKEY_ADMIN_MAX_AGE", flag: "admin-max-age", usage: "end an admin portal session this long after sign-in, however busy", dur: &c.AdminMaxAge},
		{env: "LATCHKEY_REFRESH_GRACE", flag: "refresh-grace", usage: "how long a rotated refresh token still returns its successor (concurrent refreshes)", dur: &c.RefreshGrace},
		{env: "LATCHKEY_SHUTDOWN_TIMEOUT", flag: "shutdown-timeout", usage: "how long to wait for requests to finish on shutdown", dur: &c.ShutdownTimeout},
		{env: "LATCHKEY_GC_INTERVAL", flag: "gc-interval", usage: "how often expired records are deleted", dur: &c.GCInterval},
		{env: "LATCHKEY_OUTBOX_RETENTION", flag: "outbox-retention", usage: "how long finished outbox messages are kept before collection", dur: &c.OutboxRetention},
		{env: "LATCHKEY_AUDIT_RETENTION", flag: "audit-retention", usage: "how long audit events are kept before collection (0: forever)", dur: &c.AuditRetention},
		{env: "LATCHKEY_ANSWER_GRID", flag: "answer-grid", usage: "time grid on which answers hidden by enumeration protection leave (0: 2ms on SQLite, 10ms on PostgreSQL)", dur: &c.AnswerGrid},
		{env: "LATCHKEY_CONFIG_CACHE_TTL", flag: "config-cache-ttl", usage: "how long a node keeps tenants, applications and clients in memory (0: off)", dur: &c.ConfigCacheTTL},
		{env: "LATCHKEY_KEY_CACHE_TTL", flag: "key-cache-ttl", usage: "how long a node keeps signing keys and the JWKS in memory", dur: &c.KeyCacheTTL},
		{env: "LATCHKEY_DB_MAX_CONNS", flag: "db-max-conns", usage: "PostgreSQL connections a node may open (kept while in use)", num: &c.DatabaseMaxConns},
		{env: "LATCHKEY_PASSWORD_HASH", flag: "password-hash", usage: "argon2id parameters of new password hashes: m=<KiB>,t=<passes>,p=<lanes>", str: &c.PasswordHash},
		{env: "LATCHKEY_PASSWORD_WORKERS", flag: "password-workers", usage: "password hashes computed at once (0: one per CPU)", num: &c.PasswordWorkers},
		{env: "LATCHKEY_EMAIL_TEXTS", flag: "email-texts", usage: "directory of <language>.yaml files replacing or adding the texts of sign-in messages (empty: built-in English, German, French, Spanish)", str: &c.EmailTexts},
		{env: "LATCHKEY_ADMIN_LISTEN", flag: "admin-listen", usage: "address of the metrics, pprof and expvar listener, loopback unless a host is named (empty: off)", str: &c.AdminListen},
		{env: "LATCHKEY_OTLP_ENDPOINT", flag: "otlp-endpoint", usage: "base URL of the OTLP/HTTP collector traces are sent to, e.g. http://collector:4318 (empty: off unless OTEL_EXPORTER_OTLP_ENDPOINT is set)", str: &c.OTLPEndpoint},
		{env: "LATCHKEY_TRACE_SAMPLE_RATIO", flag: "trace-sample-ratio", usage: "share of traces recorded, 0 to 1 (a caller's sampled traceparent is always followed)", str: &c.TraceSampleRatio},
		{env: "LATCHKEY_TRUSTED_PROXIES", flag: "trusted-proxies", usage: "comma-separated IP addresses and CIDRs of the proxies whose X-Forwarded-For/Forwarded headers name the client (empty: none)", str: &c.TrustedProxies},
		{env: "LATCHKEY_PASSWORD_QUEUE", flag: "password-queue", usage: "password checks that may wait for a worker before 503 (0: 32 per worker)", num: &c.PasswordQueue},
		{env: "LATCHKEY_PASSWORD_IMPORT_COST", flag: "password-import-cost", usage: "how many times the cost of a new hash an imported password hash may cost", num: &c.PasswordImportCost},
	}
}

// Register adds c's flags to fs, with c's current values as defaults.
func (c *Config) Register(fs *flag.FlagSet) { _ = c.register(fs, nil) }

// register adds the flags named in only (every flag when only is empty) to fs. A name that is
// no setting's flag is an error, so that a renamed setting cannot silently vanish from a
// command.
func (c *Config) register(fs *flag.FlagSet, only []string) error {
	want := map[string]bool{}
	for _, name := range only {
		want[name] = true
	}
	for _, s := range c.settings() {
		if len(only) > 0 && !want[s.flag] {
			continue
		}
		delete(want, s.flag)
		usage := s.usage + " (env " + s.env + ")"
		if s.str != nil {
			fs.StringVar(s.str, s.flag, *s.str, usage)
		} else if s.num != nil {
			fs.IntVar(s.num, s.flag, *s.num, usage)
		} else {
			fs.DurationVar(s.dur, s.flag, *s.dur, usage)
		}
	}
	for name := range want {
		return fmt.Errorf("config: no setting has the flag --%s", name)
	}
	return nil
}

// DefaultMasterKeyFile is where development keeps its generated master key: beside a SQLite
// database, or in ./data for PostgreSQL.
func (c *Config) DefaultMasterKeyFile() string {
	if c.MasterKeyFile != "" {
		return c.MasterKeyFile
	}
	if c.Postgres() {
		return filepath.Join("data", "master.key")
	}
	return filepath.Join(filepath.Dir(c.Database), "master.key")
}

// Postgres reports whether the database is a PostgreSQL URL rather than a SQLite file.
func (c *Config) Postgres() bool {
	return strings.HasPrefix(c.Database, "postgres://") || strings.HasPrefix(c.Database, "postgresql://")
}

// EffectiveAnswerGrid is AnswerGrid, or when it is 0 the grid for the database: longer than a
// send usually takes there, so that a few microseconds more work rarely move an answer a step.
func (c *Config) EffectiveAnswerGrid() time.Duration {
	switch {
	case c.AnswerGrid != 0:
		return c.AnswerGrid
	case c.Postgres():
		return 10 * time.Millisecond
	}
	return 2 * time.Millisecond
}
