package observe_test

import (
	"context"
	"testing"

	"github.com/latchkey/latchkey/internal/observe"
)

// With tracing off a step costs a nil check: no allocation, no span.
func TestStartWithoutTracerCostsNothing(t *testing.T) {
	ctx := context.Background()
	allocs := testing.AllocsPerRun(1000, func() {
		c, s := observe.Start(ctx, nil, "auth.settle_attempt")
		s.SetAttr("db.system", "sqlite")
		s.End(nil)
		if c != ctx || s.TraceID() != "" {
			t.Fatal("a nil tracer started something")
		}
	})
	if allocs != 0 {
		t.Fatalf("a step without a tracer allocates %v times", allocs)
	}
}

func BenchmarkStartWithoutTracer(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		_, s := observe.Start(ctx, nil, "auth.settle_attempt")
		s.End(nil)
	}
}
