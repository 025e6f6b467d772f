package token

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

var benchAlgs = []string{model.AlgRS256, model.AlgES256, model.AlgEdDSA}

func BenchmarkSign(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run(alg, func(b *testing.B) {
			e := newEnv(b, newMemStore())
			m := e.manager()
			tid := e.tenant(alg)
			claims := e.claims(time.Hour)
			e.sign(m, tid) // create and cache the keys
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Sign(e.ctx, tid, claims); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run(alg, func(b *testing.B) {
			e := newEnv(b, newMemStore())
			m := e.manager()
			raw := e.sign(m, e.tenant(alg))
			var dest map[string]any
			b.ReportAllocs()
			for b.Loop() {
				if err := m.Verify(e.ctx, raw, &dest); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
