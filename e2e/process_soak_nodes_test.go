package e2e

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// soakNode is one of the soak's two latchkey nodes: the process serving now, and what the
// workload needs to judge an answer that failed.
type soakNode struct {
	name string
	app  string // the application_name its PostgreSQL connections carry
	addr string
	env  map[string]string
	gate *smtpGate

	mu    sync.Mutex
	p     *latchkeyProcess
	up    bool
	gen   int                // kills so far: a request that fails after the count moved was cut off by a kill
	drops []window           // when its PostgreSQL connections were dropped
	procs []*latchkeyProcess // every process it ran, the current one last
}

// window is a stretch of time; an open one (zero to) lasts until it is closed. hit is when
// within it the fault struck.
type window struct{ from, hit, to time.Time }

func (w window) overlaps(from, to time.Time) bool {
	return !to.Before(w.from) && (w.to.IsZero() || !from.After(w.to))
}

// current returns the process to send to, if the node is up, and its kill count.
func (n *soakNode) current() (*latchkeyProcess, int, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.p, n.gen, n.up
}

// history returns every process the node ran.
func (n *soakNode) history() []*latchkeyProcess {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*latchkeyProcess(nil), n.procs...)
}

func (n *soakNode) killedSince(gen int) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.gen != gen
}

// droppedDuring reports whether a connection drop overlapped the time from..to, and if so
// how long after its connections were ended the time began (negative: before).
func (n *soakNode) droppedDuring(from, to time.Time) (time.Duration, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, w := range n.drops {
		if w.overlaps(from, to) {
			if w.hit.IsZero() {
				return -time.Nanosecond, true
			}
			return from.Sub(w.hit), true
		}
	}
	return 0, false
}

// soakCluster is two nodes on one PostgreSQL schema, each reaching the SMTP server through a
// gate of its own, and the test's own connection to the schema for faults and inspection.
type soakCluster struct {
	t      *testing.T
	st     procStore
	nodes  [2]*soakNode
	smtp   *deliverytest.SMTPServer
	db     *sql.DB
	token  string
	ledger *soakLedger
}

// startSoakCluster starts both nodes on a fresh schema. Their connections carry an
// application_name unique to the node and the test, which is how a fault finds them among
// everything else the shared PostgreSQL server runs.
func startSoakCluster(t *testing.T) *soakCluster {
	t.Helper()
	dsn := sqlstore.TestPostgresDSN(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	smtp := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	var tag [4]byte
	_, _ = rand.Read(tag[:])
	first := freeLoopbackAddr(t)
	shared := map[string]string{
		"LATCHKEY_MASTER_KEY": newMasterKeyText(),
		"LATCHKEY_PUBLIC_URL": "http://" + first, // one issuer, so tokens of either node work on both
		// A refresh whose answer a kill cut off is tried again with the same token, which
		// must still return its successor.
		"LATCHKEY_REFRESH_GRACE": "1m",
		"LATCHKEY_DB_MAX_CONNS":  "8", // the PostgreSQL server is shared with other tests
		"LATCHKEY_LOG_LEVEL":     "warn",
	}
	c := &soakCluster{t: t, st: procStore{home: t.TempDir(), database: dsn, postgres: true}, smtp: smtp, db: db,
		ledger: &soakLedger{crashLedger: crashLedger{sessions: map[string]string{}}}}
	for i := range c.nodes {
		n := &soakNode{name: fmt.Sprintf("node %d", i+1), app: fmt.Sprintf("latchkey-soak-%x-%d", tag, i+1)}
		n.gate = startSMTPGate(t, smtp.Addr())
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("application_name", n.app)
		u.RawQuery = q.Encode()
		n.env = map[string]string{"LATCHKEY_DATABASE": u.String(), "LATCHKEY_SMTP_URL": n.gate.url(smtp.URL())}
		for k, v := range shared {
			n.env[k] = v
		}
		if i == 0 {
			n.addr = first
		}
		n.p = startLatchkeyServer(t, c.st, n.addr, n.env)
		n.addr, n.up, n.procs = n.p.addr, true, []*latchkeyProcess{n.p}
		c.nodes[i] = n
		if i == 0 {
			boot := n.p.waitBootstrap()
			c.token = nodeToken(t, n.p, boot.ClientID, boot.ClientSecret)
			admin := nodeToken(t, n.p, boot.AdminClientID, boot.AdminClientSecret)
			// Logins sign new users up, so the workload needs no user to be created first.
			wantStatus(t, nodeCall(t, n.p, "PUT", "/cis/v1/applications/"+boot.AppID, admin, map[string]any{"allow_public_signup": true}), 200, "")
			// Email codes are redeemed when the soak ends: the longest life lets a long run's
			// first codes last until then.
			prefs := map[string]any{"email_otp": map[string]any{"expiresIn": 60}}
			wantStatus(t, nodeCall(t, n.p, "PUT", "/cis/loginPreferences/"+boot.AppID+"/authMethods", admin, prefs), 200, "")
		}
	}
	return c
}

// outcome is what became of one request of the workload.
type outcome int

const (
	acked   outcome = iota // answered 2xx: what it did must last
	unknown                // cut off by a kill, or failed by a connection drop: it may or may not have taken effect
	failed                 // anything else, recorded as a problem
)

// call sends a request to node prefer, or to the other node while prefer is down, and sorts its
// outcome into the ledger.
func (c *soakCluster) call(prefer int, path string, body any) (map[string]any, outcome) {
	n, p, gen := c.pick(prefer)
	from := time.Now()
	res, err := nodeRequest(context.Background(), p, "POST", path, c.token, body)
	to := time.Now()
	l := c.ledger
	l.add(func(l *soakLedger) { l.requests++ })
	switch {
	case err != nil && n.killedSince(gen):
		l.add(func(l *soakLedger) { l.cut++ })
		return nil, unknown
	case err != nil:
		l.problem("%s: %v", n.name, err)
		return nil, failed
	}
	if after, during := n.droppedDuring(from, to); res.Status >= 500 && during {
		var body struct {
			RequestID string `json:"request_id"`
		}
		_ = json.Unmarshal(res.Body, &body)
		l.add(func(l *soakLedger) {
			l.dropFailures = append(l.dropFailures, fmt.Sprintf("%s %s, sent %s after the connections were ended: %d %s",
				n.name, path, after.Round(time.Millisecond), res.Status, res.Body))
			if body.RequestID != "" {
				l.dropRequestIDs = append(l.dropRequestIDs, `"request_id":"`+body.RequestID+`"`)
			}
		})
		return nil, unknown
	}
	if res.Status/100 != 2 {
		l.problem("%s %s at %s: status %d: %s", n.name, path, from.Format("15:04:05.000"), res.Status, res.Body)
		return nil, failed
	}
	var m map[string]any
	if err := json.Unmarshal(res.Body, &m); err != nil {
		l.problem("%s %s: %v", n.name, path, err)
		return nil, failed
	}
	return m, acked
}

// pick returns node prefer when it is up, else the other one: the faults take one node down at
// a time.
func (c *soakCluster) pick(prefer int) (*soakNode, *latchkeyProcess, int) {
	for {
		for _, i := range []int{prefer, 1 - prefer} {
			if p, gen, up := c.nodes[i].current(); up {
				return c.nodes[i], p, gen
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}
