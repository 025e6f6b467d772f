package metrics

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of Latchkey's own.
const namespace = "latchkey"

// latencyBuckets suit requests that take from a cached read (under a millisecond) to a
// password check queued behind others (a second or more).
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Metrics holds the registry and every metric counted as it happens. Its methods implement
// the recorder interfaces of httpapi, auth and delivery, and password's OnWait hook. It is
// safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	logins          *prometheus.CounterVec
	lockouts        prometheus.Counter
	sends           *prometheus.CounterVec
	sendDuration    *prometheus.HistogramVec
	deliveries      *prometheus.CounterVec
	hashWait        prometheus.Histogram
	hashRejected    prometheus.Counter
}

// New registers every metric counted as it happens, and the Go runtime's and the process's.
// Watch adds those read at scrape time. log receives scrape errors (a backlog query that
// failed, say).
func New(log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: log}
	f := factory{m.reg}
	m.requests = f.counterVec("http_requests_total",
		"HTTP requests answered, by method, route pattern and status code.", "method", "route", "status")
	m.requestDuration = f.histogramVec("http_request_duration_seconds",
		"Time from a request's arrival to the end of its answer, by method and route pattern.", "method", "route")
	m.logins = f.counterVec("logins_total",
		"Settled login attempts, by method (an amr value, session or password_reset) and outcome (success, failure, locked).",
		"method", "outcome")
	m.lockouts = f.counter("lockouts_total", "Lockouts set: failures that spent their method's budget.")
	m.sends = f.counterVec("outbox_sends_total",
		"Outbox messages handed to their provider, by channel (message kind) and result (ok, error).", "channel", "result")
	m.sendDuration = f.histogramVec("outbox_send_duration_seconds",
		"Time a provider took to accept or refuse a message, by channel.", "channel")
	m.deliveries = f.counterVec("outbox_deliveries_total",
		"Outbox messages finished, by channel and result (delivered, abandoned).", "channel", "result")
	m.hashWait = f.histogram("password_pool_wait_seconds",
		"Time password hashing calls waited for a worker of the bounded pool, for calls that got one.")
	m.hashRejected = f.counter("password_pool_rejected_total",
		"Password hashing calls refused a worker (queue full, place taken, or request ended while waiting): answered 503.")
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Watch adds the metrics read from src at each scrape. The recorders exist before the
// services they count are built; the sources, which read those services, only after: hence
// two steps. Call it once.
func (m *Metrics) Watch(src Sources) {
	m.reg.MustRegister(newSourceCollector(src))
}

// Handler serves the metrics in Prometheus' text format. A source that fails leaves its
// metrics out of that scrape (and is logged) rather than failing the whole scrape.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      errorLog{m.log},
	})
}

// Registry is where the metrics are registered, for tests that gather them directly.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Request implements httpapi.RequestRecorder.
func (m *Metrics) Request(method, route string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.requestDuration.WithLabelValues(method, route).Observe(elapsed.Seconds())
}

// Login implements auth.Recorder.
func (m *Metrics) Login(method, outcome string) { m.logins.WithLabelValues(method, outcome).Inc() }

// Lockout implements auth.Recorder.
func (m *Metrics) Lockout() { m.lockouts.Inc() }

// Send implements delivery.Recorder.
func (m *Metrics) Send(kind, result string, elapsed time.Duration) {
	m.sends.WithLabelValues(kind, result).Inc()
	m.sendDuration.WithLabelValues(kind).Observe(elapsed.Seconds())
}

// Settled implements delivery.Recorder.
func (m *Metrics) Settled(kind, result string) { m.deliveries.WithLabelValues(kind, result).Inc() }

// PasswordWait is password.Config's OnWait hook.
func (m *Metrics) PasswordWait(waited time.Duration, err error) {
	if err != nil {
		m.hashRejected.Inc()
		return
	}
	m.hashWait.Observe(waited.Seconds())
}

// factory registers metrics under the namespace.
type factory struct{ reg *prometheus.Registry }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) histogram(name, help string) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: latencyBuckets})
	f.reg.MustRegister(h)
	return h
}

func (f factory) histogramVec(name, help string, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: latencyBuckets}, labels)
	f.reg.MustRegister(h)
	return h
}
