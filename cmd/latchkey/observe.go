package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/httpapi"
	"github.com/latchkey/latchkey/internal/metrics"
	"github.com/latchkey/latchkey/internal/observe"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/tracing"
)

// observers are what a server reports its work to: metrics when the admin listener serves
// them, tracing when an OTLP endpoint is configured. The zero value reports nothing, which is
// what every command but serve uses, and costs nil checks.
type observers struct {
	tracer  observe.Tracer
	metrics *metrics.Metrics
}

// The recorders below are nil interfaces, not interfaces holding a nil pointer, when metrics
// are off: the packages test their recorder against nil.

func (o observers) authRecorder() auth.Recorder {
	if o.metrics == nil {
		return nil
	}
	return o.metrics
}

func (o observers) deliveryRecorder() delivery.Recorder {
	if o.metrics == nil {
		return nil
	}
	return o.metrics
}

func (o observers) requestRecorder() httpapi.RequestRecorder {
	if o.metrics == nil {
		return nil
	}
	return o.metrics
}

func (o observers) passwordWait() func(time.Duration, error) {
	if o.metrics == nil {
		return nil
	}
	return o.metrics.PasswordWait
}

// startTracing builds the span exporter when the configuration turns tracing on, and nil
// otherwise: with tracing off no part of the SDK exists.
func startTracing(ctx context.Context, cfg config.Config, log *slog.Logger) (*tracing.Provider, error) {
	on, url := cfg.Tracing()
	if !on {
		return nil, nil
	}
	p, err := tracing.New(ctx, tracing.Options{TracesURL: url, SampleRatio: cfg.SampleRatio(), ServiceVersion: readBuildInfo().Version})
	if err != nil {
		return nil, err
	}
	where := url
	if where == "" {
		where = "(from OTEL_EXPORTER_OTLP_*)"
	}
	log.Info("tracing on", "otlp_traces_url", where, "sample_ratio", cfg.SampleRatio())
	return p, nil
}

// stopTracing sends the spans still batched, for at most a few seconds.
func stopTracing(p *tracing.Provider, log *slog.Logger) {
	if p == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		log.Warn("tracing: spans not sent at shutdown", "err", err)
	}
}

// watch gives the metrics their scrape-time sources: the outbox backlog and the connection
// pools through the store, the hashing pool, and the signing key cache.
func (a *app) watch(m *metrics.Metrics, channels []string) {
	build := readBuildInfo()
	m.Watch(metrics.Sources{
		Outbox: func(ctx context.Context) ([]metrics.Backlog, error) {
			rows, err := a.store.OutboxBacklog(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]metrics.Backlog, len(rows))
			for i, r := range rows {
				out[i] = metrics.Backlog{Kind: r.Kind, Messages: r.Messages, Oldest: r.Oldest}
			}
			return out, nil
		},
		Channels: channels,
		DBPools: func() []metrics.DBPool {
			var out []metrics.DBPool
			for _, p := range a.store.Pools() {
				out = append(out, metrics.DBPool{Name: p.Name, Stats: p.Stats})
			}
			return out
		},
		PasswordPool: func() password.PoolStats { return password.Shared().PoolStats() },
		KeyCacheAge:  a.tokens.CacheAge,
		Build:        map[string]string{"version": build.Version, "revision": build.Revision, "go_version": build.Go},
	})
}

// channels are the message kinds the app's workers send.
func (a *app) channels() []string {
	var out []string
	for _, w := range a.workers {
		out = append(out, w.Kinds()...)
	}
	return out
}

// startObservers builds the metrics when the admin listener will serve them, and the span
// exporter when tracing is configured. The returned function flushes and stops them.
func startObservers(ctx context.Context, cfg config.Config, admin bool, log *slog.Logger) (observers, func(), error) {
	var obs observers
	if admin {
		obs.metrics = metrics.New(log)
	}
	tp, err := startTracing(ctx, cfg, log)
	if err != nil {
		return obs, nil, err
	}
	obs.tracer = tp.Tracer()
	return obs, func() { stopTracing(tp, log) }, nil
}

// metricsHandler gives the metrics their sources and returns their handler; nil when metrics
// are off.
func (a *app) metricsHandler(obs observers) http.Handler {
	if obs.metrics == nil {
		return nil
	}
	a.watch(obs.metrics, a.channels())
	return obs.metrics.Handler()
}
