package console

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
)

var _ delivery.Sender = (*Sender)(nil)

// Sender prints messages to a writer. It is safe for concurrent use: each message is written
// whole, never interleaved with another.
type Sender struct {
	mu sync.Mutex
	w  io.Writer
}

// New returns a Sender that prints to w.
func New(w io.Writer) *Sender {
	return &Sender{w: w}
}

const rule = "----------------------------------------------------------------"

// Send prints m. The HTML part is left out: the text part says the same and reads better in
// a terminal.
func (s *Sender) Send(ctx context.Context, m model.OutboxMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", rule)
	fmt.Fprintf(&b, "%s message %s\n", m.Kind, m.ID)
	if m.From != "" {
		fmt.Fprintf(&b, "From:    %s\n", m.From)
	}
	fmt.Fprintf(&b, "To:      %s\n", m.To)
	if m.Subject != "" {
		fmt.Fprintf(&b, "Subject: %s\n", m.Subject)
	}
	fmt.Fprintf(&b, "\n%s\n%s\n", strings.TrimRight(m.Text, "\n"), rule)

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.WriteString(s.w, b.String()); err != nil {
		return fmt.Errorf("console send: %w", err)
	}
	return nil
}
