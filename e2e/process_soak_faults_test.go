package e2e

import (
	"net/http"
	"syscall"
	"time"
)

// killRecord is what one kill did.
type killRecord struct {
	node   int
	at     time.Time
	held   bool     // the node was in the middle of a send, held at its gate
	leased []string // messages leased, and not delivered, just after the kill
	down   time.Duration
}

// kill stops node i with SIGKILL while its outbox worker is in the middle of a send, then
// restarts it on the same address. The node's gate is closed first and the kill waits (within
// a bound) for a connection to be held there: the message being sent is then leased by the
// killed node and cannot have reached the SMTP server, so it must arrive exactly once, after
// the lease ends. Without such a moment the kill waits for the node's relayed sends to finish.
func (c *soakCluster) kill(i int, downtime time.Duration) killRecord {
	c.t.Helper()
	n := c.nodes[i]
	n.gate.close()
	rec := killRecord{node: i}
	deadline := time.Now().Add(10 * time.Second)
	lastActive := time.Now()
	for {
		held, active := n.gate.counts()
		if held > 0 {
			rec.held = true
			break
		}
		// No send held yet: a send that has ended may still be being recorded as delivered,
		// so only a gate quiet for a while lets the kill go ahead without one.
		if active > 0 {
			lastActive = time.Now()
		}
		if time.Now().After(deadline) && time.Since(lastActive) > 2*time.Second {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	n.mu.Lock()
	p := n.p
	n.up = false
	n.gen++
	n.mu.Unlock()
	p.signal(syscall.SIGKILL)
	if code := p.wait(); code != -1 {
		c.t.Fatalf("killed %s exited with status %d", n.name, code)
	}
	rec.at = time.Now()
	rec.leased = c.leasedMessages()
	n.gate.dropHeld()
	n.gate.reopen()
	// The client's idle connections to the killed process are dead.
	nodeHTTP.Transport.(*http.Transport).CloseIdleConnections()
	time.Sleep(downtime)
	restarted := startLatchkeyServer(c.t, c.st, n.addr, n.env)
	n.mu.Lock()
	n.p, n.up = restarted, true
	n.procs = append(n.procs, restarted)
	n.mu.Unlock()
	rec.down = time.Since(rec.at)
	return rec
}

// leasedMessages returns the ids of the outbox messages leased and not delivered.
func (c *soakCluster) leasedMessages() []string {
	c.t.Helper()
	rows, err := c.db.Query("SELECT id FROM outbox WHERE delivered_at IS NULL AND lease_until > $1", time.Now().UnixMilli())
	if err != nil {
		c.t.Fatalf("read leased messages: %v", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			c.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		c.t.Fatal(err)
	}
	return ids
}

// dropConnections has PostgreSQL end every connection node i holds, as a database restart or
// failover would, and waits until they are gone. The node is not told: its pool meets the dead
// connections as it takes them.
func (c *soakCluster) dropConnections(i int) (dropped int, took time.Duration) {
	c.t.Helper()
	n := c.nodes[i]
	n.mu.Lock()
	n.drops = append(n.drops, window{from: time.Now()})
	w := &n.drops[len(n.drops)-1]
	n.mu.Unlock()
	var pids []int
	rows, err := c.db.Query("SELECT pid FROM pg_stat_activity WHERE application_name = $1", n.app)
	if err != nil {
		c.t.Fatalf("find the connections of %s: %v", n.name, err)
	}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			c.t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	rows.Close()
	if len(pids) == 0 {
		c.t.Fatalf("%s holds no PostgreSQL connection named %s", n.name, n.app)
	}
	if _, err := c.db.Exec("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", pids); err != nil {
		c.t.Fatalf("terminate the connections of %s: %v", n.name, err)
	}
	n.mu.Lock()
	w.hit = time.Now()
	n.mu.Unlock()
	// Polled closely: requests sent after the connections are gone meet only dead pooled
	// connections, which the node must get past, and none may fail.
	deadline := time.Now().Add(processWait)
	for {
		var left int
		err := c.db.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", pids).Scan(&left)
		if err == nil && left == 0 {
			break
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the dropped connections of %s did not end within %s (%d left, %v)", n.name, processWait, left, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	n.mu.Lock()
	w.to = time.Now()
	took = w.to.Sub(w.hit)
	n.mu.Unlock()
	return len(pids), took
}

// smtpOutage stops the SMTP server for d. Both gates are closed first, and the server stops
// only once no session is open: a session cut off after the server accepted its message but
// before the node heard so would send the message again, and SMTP offers no way around that.
// The gates then open onto the stopped server, so that sends fail as they would in an outage.
func (c *soakCluster) smtpOutage(d time.Duration) {
	c.t.Helper()
	for _, n := range c.nodes {
		n.gate.close()
	}
	pollUntil(c.t, processWait, "the open SMTP sessions to end", func() bool {
		for _, n := range c.nodes {
			if _, active := n.gate.counts(); active > 0 {
				return false
			}
		}
		return true
	})
	c.smtp.Stop()
	for _, n := range c.nodes {
		n.gate.reopen()
	}
	time.Sleep(d)
	c.smtp.Restart()
}
