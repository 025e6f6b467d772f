package token

import (
	"fmt"
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

// BenchmarkVerifyIntrospected compares a token's first introspection on a node (the
// signature checked) with a repeated one (the memo's verdict, claims decoded again).
func BenchmarkVerifyIntrospected(b *testing.B) {
	for _, alg := range benchAlgs {
		for _, repeated := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/repeated=%t", alg, repeated), func(b *testing.B) {
				e := newEnv(b, newMemStore())
				m := e.manager()
				raw := e.sign(m, e.tenant(alg))
				var dest map[string]any
				b.ReportAllocs()
				for b.Loop() {
					if !repeated {
						m.introspected.forget(raw)
					}
					if err := m.VerifyIntrospected(e.ctx, raw, &dest); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkJWKSBuild measures what a node pays to build its key set from nothing (one read of
// every key, parsing, serialising the document), once per cache TTL or key change: with any
// number of tenants sharing the deployment's keys, and with every one of 1000 tenants holding
// its own (EdDSA, the cheapest to generate) keys, the per-tenant option's worst case.
func BenchmarkJWKSBuild(b *testing.B) {
	for _, own := range []int{0, 1000} {
		b.Run(fmt.Sprintf("own-key-tenants=%d", own), func(b *testing.B) {
			e := newEnv(b, newMemStore())
			setup := e.manager()
			e.sign(setup, e.tenant(""))
			for range own {
				e.tenant(model.AlgEdDSA)
			}
			var size int
			b.ReportAllocs()
			for b.Loop() {
				doc, _, err := e.manager().JWKSDocument(e.ctx)
				if err != nil {
					b.Fatal(err)
				}
				size = len(doc)
			}
			b.ReportMetric(float64(size), "jwks-bytes")
		})
	}
}

// BenchmarkJWKSServe measures a JWKS request's share of the Manager: the cached document.
func BenchmarkJWKSServe(b *testing.B) {
	e := newEnv(b, newMemStore())
	m := e.manager()
	e.sign(m, e.tenant(""))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.JWKSDocument(e.ctx); err != nil {
			b.Fatal(err)
		}
	}
}
