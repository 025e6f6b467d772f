package console_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/delivery/console"
	"github.com/latchkey/latchkey/internal/model"
)

func TestSendPrintsBlock(t *testing.T) {
	var out strings.Builder
	s := console.New(&out)
	m := model.OutboxMessage{ID: "m1", Kind: model.MessageEmail, To: "alice@example.com",
		Subject: "Your Acme sign-in code", Text: "Your code is 123456\n", HTML: "<p>html only</p>"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"To:      alice@example.com", "Subject: Your Acme sign-in code", "Your code is 123456"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "html only") {
		t.Errorf("output contains the HTML part:\n%s", got)
	}
}

func TestSendCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out strings.Builder
	if err := console.New(&out).Send(ctx, model.OutboxMessage{To: "a@example.com"}); err == nil {
		t.Fatal("Send with a cancelled context succeeded")
	}
	if out.Len() != 0 {
		t.Errorf("cancelled Send wrote %q", out.String())
	}
}

// TestConcurrentSendsDoNotInterleave writes through an unsynchronised writer from many
// goroutines; the race detector and the block count catch interleaving.
func TestConcurrentSendsDoNotInterleave(t *testing.T) {
	var out strings.Builder
	s := console.New(&out)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := model.OutboxMessage{Kind: model.MessageEmail, To: "user@example.com", Subject: "s", Text: strings.Repeat("x", 100+i)}
			if err := s.Send(context.Background(), m); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	blocks := strings.Split(strings.TrimSpace(out.String()), "\n")
	var starts int
	for i, line := range blocks {
		if strings.HasPrefix(line, "email message") {
			starts++
			if i == 0 || !strings.HasPrefix(blocks[i-1], "-----") {
				t.Fatalf("block at line %d does not follow a rule", i)
			}
		}
	}
	if starts != 50 {
		t.Errorf("got %d blocks, want 50", starts)
	}
}
