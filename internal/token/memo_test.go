package token

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// rememberer is one of a Manager's verifications that remember tokens, with its memo.
type rememberer struct {
	name   string
	verify func(ctx context.Context, raw string, dest any) error
	memo   *memo
	other  *memo // the other memo, which this verification must leave alone
}

func rememberers(m *Manager) []rememberer {
	return []rememberer{
		{"VerifyBearer", m.VerifyBearer, &m.bearers, &m.introspected},
		{"VerifyIntrospected", m.VerifyIntrospected, &m.introspected, &m.bearers},
	}
}

func TestVerifyBearerRemembers(t *testing.T) {
	e := newEnv(t, newMemStore())
	for i := range rememberers(e.manager()) {
		m := e.manager()
		r := rememberers(m)[i]
		t.Run(r.name, func(t *testing.T) {
			tid := e.tenant(model.AlgES256)
			raw := e.sign(m, tid)

			for i := 0; i < 2; i++ {
				var got map[string]any
				if err := r.verify(e.ctx, raw, &got); err != nil {
					t.Fatalf("use %d: %v", i, err)
				}
				if got["sub"] != "user-1" || got["tid"] != tid {
					t.Errorf("use %d: claims %v", i, got)
				}
			}
			if _, ok := r.memo.get(raw); !ok {
				t.Fatal("a verified token is not remembered")
			}
			if _, ok := r.other.get(raw); ok {
				t.Fatal("a verified token is remembered in the other memo too")
			}

			// A remembered verdict is the signature's alone: a token differing in one byte of
			// its signature is checked and refused.
			forged := raw[:len(raw)-2] + flip(raw[len(raw)-2])
			if err := r.verify(e.ctx, forged, nil); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("forged token: %v, want ErrInvalidToken", err)
			}
			if _, ok := r.memo.get(forged); ok {
				t.Error("a refused token was remembered")
			}
			// Verify checks the signature every time, remembered or not.
			if err := m.Verify(e.ctx, raw, nil); err != nil {
				t.Errorf("Verify of the remembered token: %v", err)
			}
		})
	}
}

func TestVerifyBearerExpires(t *testing.T) {
	e := newEnv(t, newMemStore())
	for i := range rememberers(e.manager()) {
		m := e.manager()
		r := rememberers(m)[i]
		t.Run(r.name, func(t *testing.T) {
			tid := e.tenant(model.AlgES256)
			raw, err := m.Sign(e.ctx, tid, e.claims(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if err := r.verify(e.ctx, raw, nil); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Minute + Leeway + time.Second)
			if err := r.verify(e.ctx, raw, nil); !errors.Is(err, ErrExpired) {
				t.Errorf("remembered token past its exp: %v, want ErrExpired", err)
			}
			if _, ok := r.memo.get(raw); ok {
				t.Error("an expired token is still remembered")
			}
		})
	}
}

// A remembered token stops verifying as soon as its key is no longer published, as an
// unremembered one does.
func TestVerifyBearerKeyUnpublished(t *testing.T) {
	e := newEnv(t, newMemStore())
	for i := range rememberers(e.manager()) {
		m := e.manager(func(o *Options) { o.MaxTokenLifetime = time.Hour })
		r := rememberers(m)[i]
		t.Run(r.name, func(t *testing.T) {
			tid := e.tenant(model.AlgES256)
			raw, err := m.Sign(e.ctx, tid, e.claims(3*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if err := r.verify(e.ctx, raw, nil); err != nil {
				t.Fatal(err)
			}
			if err := m.Rotate(e.ctx, tid); err != nil {
				t.Fatal(err)
			}
			if err := r.verify(e.ctx, raw, nil); err != nil {
				t.Fatalf("token signed by a disabled, still published key: %v", err)
			}
			e.clock.Advance(time.Hour + time.Minute)
			if err := r.verify(e.ctx, raw, nil); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("token of an unpublished key: %v, want ErrInvalidToken", err)
			}
			if err := m.Verify(e.ctx, raw, nil); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify of the same token: %v, want ErrInvalidToken", err)
			}
		})
	}
}

func TestMemoBounded(t *testing.T) {
	var mm memo
	for i := 0; i < memoSize+100; i++ {
		mm.put(fmt.Sprintf("token-%d", i), memoEntry{tenant: "t"})
	}
	if n := len(mm.m); n != memoSize {
		t.Errorf("memo holds %d tokens, want at most %d", n, memoSize)
	}
	last := fmt.Sprintf("token-%d", memoSize+99)
	if _, ok := mm.get(last); !ok {
		t.Error("the newest token was evicted")
	}
}

// flip returns a different base64url character for c.
func flip(c byte) string {
	if strings.IndexByte("Aa", c) >= 0 {
		return "B"
	}
	return "A"
}

// Tokens over memoMaxToken bytes verify as usual but are never remembered, so the memo's
// memory stays bounded whatever the tokens carry.
func TestVerifyBearerLargeTokenNotRemembered(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	tid := e.tenant(model.AlgES256)
	c := e.claims(time.Hour)
	c["custom_data"] = strings.Repeat("x", memoMaxToken)
	raw, err := m.Sign(e.ctx, tid, c)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := m.VerifyBearer(e.ctx, raw, nil); err != nil {
			t.Fatalf("use %d: %v", i, err)
		}
	}
	if _, ok := m.bearers.get(raw); ok || len(m.bearers.m) != 0 {
		t.Errorf("a %d-byte token was remembered", len(raw))
	}
}

func TestVerifyBearerConcurrent(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	tid := e.tenant(model.AlgES256)
	tokens := []string{e.sign(m, tid), e.sign(m, tid), e.sign(m, tid)}
	errs := make(chan error, 60)
	var wg sync.WaitGroup
	for i := 0; i < cap(errs); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got map[string]any
			err := m.VerifyBearer(e.ctx, tokens[i%len(tokens)], &got)
			if err == nil && got["tid"] != tid {
				err = fmt.Errorf("claims %v", got)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(m.bearers.m); n != len(tokens) {
		t.Errorf("memo holds %d tokens, want %d", n, len(tokens))
	}
}
