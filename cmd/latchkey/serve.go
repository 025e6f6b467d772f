package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/httpapi"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/tenancy"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("serve", "Run the Latchkey server.", args, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	start := time.Now()
	// Validated with the rest of the configuration; parsed again here to get the networks.
	proxies, err := cfg.TrustedProxyPrefixes()
	if err != nil {
		return err
	}
	// The listeners are bound before the database is opened: a port that is taken must stop
	// the start before a master key, a database or a first tenant (whose secrets are printed
	// once, and would be lost with the failed process) is created.
	ln, adminLn, err := listen(cfg.Listen, cfg.AdminListen)
	if err != nil {
		return err
	}
	defer ln.Close()
	if adminLn != nil {
		defer adminLn.Close()
	}
	obs, stopObs, err := startObservers(ctx, cfg, adminLn != nil, log)
	if err != nil {
		return err
	}
	defer stopObs()
	a, err := openObservedApp(ctx, cfg, log, obs)
	if err != nil {
		return err
	}
	defer a.Close()

	// A fresh deployment gets a ready tenant, printed once: its secrets are stored only hashed.
	has, err := a.tenancy.HasTenants(ctx)
	if err != nil {
		return err
	}
	if !has {
		b, err := a.tenancy.Bootstrap(ctx, "default", false)
		if err != nil {
			return fmt.Errorf("bootstrap: %w", err)
		}
		if b.Created {
			link, err := a.adminSetupLink(ctx, b.TenantID)
			if err != nil {
				return fmt.Errorf("bootstrap: %w", err)
			}
			printBootstrap(stdout, "default", b, cfg.PublicURL, link)
		}
	}

	stopAdmin := serveAdmin(adminLn, a.store, log, a.metricsHandler(obs))
	defer stopAdmin()
	api := httpapi.New(httpapi.Config{
		Auth: a.auth, Tenancy: a.tenancy, Directory: a.directory, Tokens: a.tokens, Audit: a.audit,
		Ready: a.store.Ping, Logger: log, PublicURL: cfg.PublicURL, TrustedProxies: proxies,
		Tracer: obs.tracer, Requests: obs.requestRecorder(),
	})
	handler, err := a.publicHandler(api.Handler(), proxies)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	var workers sync.WaitGroup
	for _, w := range a.workers {
		workers.Go(func() { _ = w.Run(bg) })
	}
	gcDone := make(chan struct{})
	go func() { a.collectGarbage(bg); close(gcDone) }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	build := readBuildInfo()
	log.Info("latchkey ready", "addr", ln.Addr().String(), "public_url", cfg.PublicURL,
		"startup_ms", time.Since(start).Milliseconds(), "version", build.Version, "revision", build.Revision)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	// The worker hands back the messages it holds before the store closes, so that the next
	// process (or another node) can send them at once instead of after their lease.
	stopBG()
	workers.Wait()
	<-gcDone
	log.Info("stopped")
	return nil
}

// listen binds the API's address and, when one is configured, the admin address.
func listen(addr, adminAddr string) (api, admin net.Listener, err error) {
	api, err = net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot listen on %s (LATCHKEY_LISTEN): %w", addr, err)
	}
	admin, err = listenAdmin(adminAddr)
	if err != nil {
		api.Close()
		return nil, nil, err
	}
	return api, admin, nil
}

// collectGarbage deletes expired records, and outbox messages finished for longer than the
// retention, periodically. Several nodes may run it at once: each delete is idempotent.
func (a *app) collectGarbage(ctx context.Context) {
	t := time.NewTicker(a.cfg.GCInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := time.Now()
			policy := storage.GCPolicy{}
			if a.cfg.AuditRetention > 0 {
				policy.AuditBefore = now.Add(-a.cfg.AuditRetention)
			}
			n, err := a.store.GarbageCollect(ctx, now, policy)
			if err != nil {
				a.log.Error("garbage collection failed", "err", err)
				continue
			}
			msgs, err := delivery.Collect(ctx, a.store, now.Add(-a.cfg.OutboxRetention), delivery.CollectBatch)
			if err != nil {
				a.log.Error("outbox collection failed", "err", err)
			}
			if n+msgs > 0 {
				a.log.Info("garbage collected", "records", n, "outbox_messages", msgs)
			}
		}
	}
}

func printBootstrap(w io.Writer, tenant string, b tenancy.Bootstrap, publicURL, adminLink string) {
	fmt.Fprintf(w, `
Latchkey created tenant %q. These secrets are shown once; store them now.

  tenant_id            %s
  admin_client_id      %s
  admin_client_secret  %s
  app_id               %s
  client_id            %s
  client_secret        %s

Get a client access token:
  curl -s %s/oidc/token -d grant_type=client_credentials -d client_id=%s -d client_secret=%s

`, tenant, b.TenantID, b.AdminClientID, b.AdminClientSecret, b.AppID, b.ClientID, b.ClientSecret,
		publicURL, b.ClientID, b.ClientSecret)
	if adminLink != "" {
		printAdminLink(w, adminLink)
	}
	if f, ok := w.(*os.File); ok {
		_ = f.Sync()
	}
}
