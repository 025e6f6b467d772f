package observe

import "context"

// Tracer starts spans. Implementations keep the current span in the context, so that a span
// started with a context that carries another becomes its child.
type Tracer interface {
	Start(ctx context.Context, name string, kind Kind) (context.Context, Span)
}

// Kind says what a span stands for, as tracing backends draw it.
type Kind int

// Span kinds.
const (
	Internal Kind = iota // work inside the process: a login step, a hash
	Server               // a request served
	Client               // a call to another system: a database transaction
)

// Span is one timed unit of work, ended once.
type Span interface {
	// SetAttr records a fact about the work: a string, bool, int or int64 value. Values must
	// never be secrets or personal data (no identifiers, addresses or codes).
	SetAttr(key string, value any)
	// SetName renames the span, for a name known only once the work is under way (an HTTP
	// request's route).
	SetName(name string)
	// End ends the span, marking it failed when err is not nil.
	End(err error)
	// TraceID is the hex id of the span's trace, or "" when it has none.
	TraceID() string
}

// Start starts an Internal span with t, or returns ctx and a span that does nothing when t
// is nil. It allocates nothing when t is nil.
func Start(ctx context.Context, t Tracer, name string) (context.Context, Span) {
	if t == nil {
		return ctx, Nop
	}
	return t.Start(ctx, name, Internal)
}

// Nop is a span that records nothing.
var Nop Span = nop{}

type nop struct{}

func (nop) SetAttr(string, any) {}
func (nop) SetName(string)      {}
func (nop) End(error)           {}
func (nop) TraceID() string     { return "" }
