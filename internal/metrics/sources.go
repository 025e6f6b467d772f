package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/latchkey/latchkey/internal/password"
)

// Sources are what the metrics read at scrape time, each optional.
type Sources struct {
	// Outbox returns the owed messages of each kind (see sqlstore.Store.OutboxBacklog).
	Outbox func(ctx context.Context) ([]Backlog, error)
	// Channels are the message kinds that have a sender: each is reported, with zeros when
	// nothing of its kind is owed, so that a missing series means a scrape that failed.
	Channels []string
	// DBPools returns the database connection pools' statistics.
	DBPools func() []DBPool
	// PasswordPool returns the hashing pool's counts.
	PasswordPool func() password.PoolStats
	// KeyCacheAge returns the age of the node's signing keys snapshot, and false when it
	// holds none (see token.Manager.CacheAge).
	KeyCacheAge func() (time.Duration, bool)
	// Build labels latchkey_build_info: version, revision, go_version.
	Build map[string]string
	// Now is the clock backlog ages are measured on; time.Now when nil.
	Now func() time.Time
}

// Backlog is the owed outbox messages of one kind.
type Backlog struct {
	Kind     string
	Messages int64
	Oldest   time.Time
}

// DBPool is one database connection pool's statistics.
type DBPool struct {
	Name  string
	Stats sql.DBStats
}

// scrapeTimeout bounds the backlog query, so that a slow database cannot hold a scrape.
const scrapeTimeout = 3 * time.Second

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_"+name, help, labels, nil)
}

var (
	backlogDesc = desc("outbox_backlog_messages",
		"Outbox messages owed (neither delivered nor given up), by channel.", "channel")
	oldestDesc = desc("outbox_oldest_message_age_seconds",
		"Age of the oldest owed outbox message, by channel; 0 when none is owed.", "channel")
	dbOpenDesc = desc("db_connections",
		"Database connections of a pool, by state (in_use, idle).", "pool", "state")
	dbMaxDesc = desc("db_connections_max",
		"Connections a database pool may open (0: unbounded).", "pool")
	dbWaitsDesc = desc("db_waits_total",
		"Times a query waited for a free connection of a pool.", "pool")
	dbWaitDesc = desc("db_wait_seconds_total",
		"Total time queries waited for a free connection of a pool.", "pool")
	hashWorkersDesc  = desc("password_pool_workers", "Workers of the password hashing pool.")
	hashRunningDesc  = desc("password_pool_running", "Password hashing calls running on a worker.")
	hashQueueDesc    = desc("password_pool_queue_depth", "Password hashing calls waiting for a worker.")
	hashCapacityDesc = desc("password_pool_queue_capacity", "Password hashing calls that may wait before calls are refused.")
	keyAgeDesc       = desc("signing_keys_cache_age_seconds",
		"Age of the node's in-memory copy of the signing keys; absent while it holds none.")
)

// sourceCollector reads Sources at each scrape.
type sourceCollector struct {
	src   Sources
	build prometheus.Metric
}

func newSourceCollector(src Sources) *sourceCollector {
	if src.Now == nil {
		src.Now = time.Now
	}
	labels := prometheus.Labels{}
	for _, k := range []string{"version", "revision", "go_version"} {
		labels[k] = src.Build[k]
	}
	build := prometheus.MustNewConstMetric(
		prometheus.NewDesc(namespace+"_build_info", "Always 1, labelled with the running build.", nil, labels),
		prometheus.GaugeValue, 1)
	return &sourceCollector{src: src, build: build}
}

func (c *sourceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{backlogDesc, oldestDesc, dbOpenDesc, dbMaxDesc, dbWaitsDesc, dbWaitDesc,
		hashWorkersDesc, hashRunningDesc, hashQueueDesc, hashCapacityDesc, keyAgeDesc} {
		ch <- d
	}
	ch <- c.build.Desc()
}

func (c *sourceCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- c.build
	c.collectOutbox(ch)
	if c.src.DBPools != nil {
		for _, p := range c.src.DBPools() {
			s := p.Stats
			ch <- gauge(dbOpenDesc, float64(s.InUse), p.Name, "in_use")
			ch <- gauge(dbOpenDesc, float64(s.Idle), p.Name, "idle")
			ch <- gauge(dbMaxDesc, float64(s.MaxOpenConnections), p.Name)
			ch <- counter(dbWaitsDesc, float64(s.WaitCount), p.Name)
			ch <- counter(dbWaitDesc, s.WaitDuration.Seconds(), p.Name)
		}
	}
	if c.src.PasswordPool != nil {
		s := c.src.PasswordPool()
		ch <- gauge(hashWorkersDesc, float64(s.Workers))
		ch <- gauge(hashRunningDesc, float64(s.Running))
		ch <- gauge(hashQueueDesc, float64(s.Waiting))
		ch <- gauge(hashCapacityDesc, float64(s.Room))
	}
	if c.src.KeyCacheAge != nil {
		if age, ok := c.src.KeyCacheAge(); ok {
			ch <- gauge(keyAgeDesc, age.Seconds())
		}
	}
}

// collectOutbox reports the backlog of every channel: those the query found, and zeros for
// the other known channels. A query that fails leaves the backlog out of the scrape, and the
// handler logs why.
func (c *sourceCollector) collectOutbox(ch chan<- prometheus.Metric) {
	if c.src.Outbox == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	backlog, err := c.src.Outbox(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(backlogDesc, fmt.Errorf("outbox backlog: %w", err))
		return
	}
	now := c.src.Now()
	seen := map[string]bool{}
	for _, b := range backlog {
		seen[b.Kind] = true
		ch <- gauge(backlogDesc, float64(b.Messages), b.Kind)
		ch <- gauge(oldestDesc, max(now.Sub(b.Oldest).Seconds(), 0), b.Kind)
	}
	for _, k := range c.src.Channels {
		if !seen[k] {
			seen[k] = true
			ch <- gauge(backlogDesc, 0, k)
			ch <- gauge(oldestDesc, 0, k)
		}
	}
}

func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func counter(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
}

// errorLog hands promhttp's errors to the structured log.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Println(v ...any) { l.log.Error("metrics: " + fmt.Sprint(v...)) }
