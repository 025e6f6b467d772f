package smtp

import (
	"context"
	"net"
	"sync"
	"time"
)

// ctxConn ties a connection to a context. The SMTP client library sets a fresh deadline before
// every command and knows nothing of contexts; ctxConn clamps each of those deadlines to the
// context's deadline and, when the context is cancelled, moves the deadline to the past so
// that a blocked read or write returns at once.
type ctxConn struct {
	net.Conn
	ctx  context.Context
	mu   sync.Mutex // orders deadline updates against cancellation
	stop func() bool
}

// expired is a deadline already past.
var expired = time.Unix(1, 0)

func newCtxConn(ctx context.Context, conn net.Conn) *ctxConn {
	c := &ctxConn{Conn: conn, ctx: ctx}
	c.stop = context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		_ = c.Conn.SetDeadline(expired)
	})
	_ = c.SetDeadline(time.Time{})
	return c
}

func (c *ctxConn) clamp(t time.Time) time.Time {
	if c.ctx.Err() != nil {
		return expired
	}
	if d, ok := c.ctx.Deadline(); ok && (t.IsZero() || d.Before(t)) {
		return d
	}
	return t
}

func (c *ctxConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Conn.SetDeadline(c.clamp(t))
}

func (c *ctxConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Conn.SetReadDeadline(c.clamp(t))
}

func (c *ctxConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Conn.SetWriteDeadline(c.clamp(t))
}

func (c *ctxConn) Close() error {
	c.stop()
	return c.Conn.Close()
}
