package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/delivery/console"
	"github.com/latchkey/latchkey/internal/delivery/smtp"
	"github.com/latchkey/latchkey/internal/delivery/twilio"
	"github.com/latchkey/latchkey/internal/delivery/webhook"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/passkey"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/roles"
	"github.com/latchkey/latchkey/internal/sealing"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/cache"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

// app is a wired Latchkey: the store and every service built on it.
type app struct {
	cfg       config.Config
	log       *slog.Logger
	store     *sqlstore.Store
	keys      *secret.Keys
	tokens    *token.Manager
	tenancy   *tenancy.Service
	directory *directory.Service
	auth      *auth.Service
	audit     *audit.Log
	admins    *admins.Service
	texts     *delivery.Texts
	workers   []*delivery.Worker
}

// notifyWorkers wakes every delivery worker after a commit that queued a message.
func (a *app) notifyWorkers() {
	for _, w := range a.workers {
		w.Notify()
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// openApp opens and migrates the store and builds the services.
func openApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	return openObservedApp(ctx, cfg, log, observers{})
}

// openObservedApp is openApp with the services reporting to obs (see observers).
func openObservedApp(ctx context.Context, cfg config.Config, log *slog.Logger, obs observers) (*app, error) {
	master, err := masterKey(cfg, log)
	if err != nil {
		return nil, err
	}
	keys, err := secret.NewKeys(master)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	if err := setPasswordHasher(cfg, obs); err != nil {
		return nil, err
	}
	store, err := sqlstore.OpenAndMigrate(ctx, cfg.Database)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	store.SetMaxConns(cfg.DatabaseMaxConns)
	store.SetTracer(obs.tracer)
	// A node with another deployment's master key would start, report ready and refuse every
	// client; refuse to start instead, saying why.
	if err := sealing.VerifyMasterKey(ctx, store, keys, time.Now()); err != nil {
		store.Close()
		return nil, err
	}
	a := &app{cfg: cfg, log: log, store: store, keys: keys}
	// Services read tenants, applications and clients through the node's copy; the raw store
	// stays for the operator's counters and shutdown.
	cached := cache.New(store, cfg.ConfigCacheTTL)
	a.tokens, err = token.NewManager(cached, keys, token.Options{Issuer: cfg.TokenIssuer(), CacheTTL: cfg.KeyCacheTTL})
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("token manager: %w", err)
	}
	texts, err := delivery.LoadTexts(cfg.EmailTexts)
	if err != nil {
		store.Close()
		return nil, err
	}
	a.tenancy = tenancy.New(cached, keys, a.tokens, tenancy.Options{Languages: texts})
	a.directory = directory.New(cached, directory.Options{})
	a.audit = audit.New(cached, keys, nil)
	if cfg.Mode == config.ModeProduction {
		a.audit.RequireHTTPS()
	}
	senders, err := senders(cfg, log)
	if err != nil {
		store.Close()
		return nil, err
	}
	// Decoy sends' stand-in messages go through the sign-in worker like real ones, to nowhere.
	senders[model.MessageSuppressed] = delivery.Discard{}
	// Sign-in messages and tenants' audit webhooks have a worker each: a tenant's slow endpoint
	// must never delay another user's code.
	kinds := make([]string, 0, len(senders))
	for k := range senders {
		kinds = append(kinds, k)
	}
	a.workers = []*delivery.Worker{
		delivery.NewWorker(store, senders, delivery.WorkerOptions{Logger: log, Kinds: kinds, Keys: keys, Recorder: obs.deliveryRecorder()}),
		delivery.NewWorker(store, map[string]delivery.Sender{
			model.MessageAuditWebhook: webhook.NewAuditSender(a.audit.Webhook, nil, cfg.Mode == config.ModeDevelopment),
		}, delivery.WorkerOptions{Logger: log, Kinds: []string{model.MessageAuditWebhook}, Keys: keys, Recorder: obs.deliveryRecorder()}),
	}
	a.auth = auth.New(cached, a.tokens, keys, a.tenancy, auth.Options{
		Issuer:             cfg.TokenIssuer(),
		AccessTokenTTL:     cfg.AccessTokenTTL,
		IDTokenTTL:         cfg.IDTokenTTL,
		RefreshTokenTTL:    cfg.RefreshTokenTTL,
		SessionTTL:         cfg.SessionTTL,
		SessionIdleTimeout: cfg.SessionIdleTimeout,
		RefreshGrace:       cfg.RefreshGrace,
		AnswerGrid:         cfg.EffectiveAnswerGrid(),
		Audit:              a.audit,
		NotifyOutbox:       a.notifyWorkers,
		SMSDisabled:        senders[model.MessageSMS] == nil,
		Texts:              texts,
		Tracer:             obs.tracer,
		Recorder:           obs.authRecorder(),
	})
	a.texts = texts
	a.admins = admins.New(a.auth, a.directory, roles.New(cached, nil), a.audit, admins.Options{IdleTimeout: cfg.AdminIdleTimeout, MaxAge: cfg.AdminMaxAge,
		Passkeys: passkeys.New(a.auth, passkey.New()), PublicURL: cfg.PublicURL})
	return a, nil
}

func (a *app) Close() error { return a.store.Close() }

// setPasswordHasher makes the configured argon2id parameters and pool the process's own.
func setPasswordHasher(cfg config.Config, obs observers) error {
	params, err := password.ParseParams(cfg.PasswordHash)
	if err != nil {
		return fmt.Errorf("password hash: %w", err)
	}
	h, err := password.NewHasher(password.Config{
		Params: params, Workers: cfg.PasswordWorkers, Queue: cfg.PasswordQueue, ImportCost: cfg.PasswordImportCost,
		OnWait: obs.passwordWait(), Tracer: obs.tracer,
	})
	if err != nil {
		return err
	}
	password.SetShared(h)
	return nil
}

// senders builds the sender of each message kind from the configured providers. Console
// providers print messages to the log (development only; configuration validation enforces
// that). With no SMS provider there is no SMS sender, and the sms channel is refused.
func senders(cfg config.Config, log *slog.Logger) (map[string]delivery.Sender, error) {
	out := map[string]delivery.Sender{}
	// One console for both kinds, so that an email and an SMS never interleave. It writes to
	// standard output, keeping standard error for the JSON log.
	cons := console.New(os.Stdout)
	var err error
	switch cfg.EmailProviderName() {
	case config.ProviderSMTP:
		out[model.MessageEmail], err = smtpSender(cfg.SMTPURL)
	case config.ProviderWebhook:
		out[model.MessageEmail], err = webhookSender(cfg.EmailWebhookURL, cfg.EmailWebhookSecret, "email")
	default:
		log.Warn("no email provider configured: email is printed to standard output (development only)")
		out[model.MessageEmail] = cons
	}
	if err != nil {
		return nil, err
	}
	switch cfg.SMSProviderName() {
	case config.ProviderTwilio:
		var s *twilio.Sender
		if s, err = twilio.New(cfg.TwilioConfig()); err != nil {
			return nil, fmt.Errorf("SMS provider: %w", err)
		}
		out[model.MessageSMS] = s
	case config.ProviderWebhook:
		out[model.MessageSMS], err = webhookSender(cfg.SMSWebhookURL, cfg.SMSWebhookSecret, "SMS")
	case config.ProviderNone:
		log.Info("no SMS provider configured: the sms channel is disabled")
	default:
		log.Warn("SMS is printed to standard output (development only)")
		out[model.MessageSMS] = cons
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func smtpSender(rawURL string) (delivery.Sender, error) {
	sc, err := smtp.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: %w", err)
	}
	s, err := smtp.New(sc)
	if err != nil {
		return nil, fmt.Errorf("SMTP: %w", err)
	}
	return s, nil
}

func webhookSender(rawURL, secret, what string) (delivery.Sender, error) {
	s, err := webhook.New(webhook.Config{URL: rawURL, Secret: secret})
	if err != nil {
		return nil, fmt.Errorf("%s webhook: %w", what, err)
	}
	return s, nil
}

// masterKey returns the configured master key. In development a missing key is generated and
// written to a file with owner-only permissions, so restarts keep decrypting the signing keys.
func masterKey(cfg config.Config, log *slog.Logger) ([]byte, error) {
	if cfg.MasterKey != "" {
		return secret.ParseMasterKey(cfg.MasterKey)
	}
	path := cfg.DefaultMasterKeyFile()
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return secret.ParseMasterKey(strings.TrimSpace(string(data)))
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read master key: %w", err)
	case cfg.Mode == config.ModeProduction:
		return nil, fmt.Errorf("master key file %s does not exist", path)
	}
	key := secret.NewMasterKey()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create master key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it first; use theirs.
		return masterKey(cfg, log)
	}
	if err != nil {
		return nil, fmt.Errorf("create master key: %w", err)
	}
	defer f.Close()
	if _, err := fmt.Fprintln(f, secret.EncodeMasterKey(key)); err != nil {
		return nil, fmt.Errorf("write master key: %w", err)
	}
	log.Warn("generated a development master key; keep it safe, it decrypts the signing keys", "file", path)
	return key, nil
}

// loadConfig parses a command's flags over the environment and the configuration file, and
// validates them. What development forgives (a key or variable that no setting reads) is
// written to stderr as a warning.
func loadConfig(name, summary string, args []string, stderr io.Writer, extra func(*flagSet)) (config.Config, []string, error) {
	fs := newFlagSet(name, summary, stderr)
	if extra != nil {
		extra(fs)
	}
	cfg, rest, err := config.LoadFrom(fs, config.Sources{Args: args, Getenv: os.Getenv, Environ: os.Environ()}, settingFlags[name]...)
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "latchkey %s: warning: %s\n", name, w)
	}
	return cfg, rest, err
}

// findTenant finds a tenant by name, or else by id.
func findTenant(ctx context.Context, st storage.Store, nameOrID string) (model.Tenant, error) {
	nameOrID = strings.TrimSpace(nameOrID)
	t, err := st.GetTenantByName(ctx, nameOrID)
	if errors.Is(err, storage.ErrNotFound) {
		t, err = st.GetTenant(ctx, nameOrID)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return t, fmt.Errorf("find tenant: no tenant is named %q or has that id", nameOrID)
	}
	if err != nil {
		return t, fmt.Errorf("find tenant: %w", err)
	}
	return t, nil
}
