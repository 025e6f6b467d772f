package auth

import (
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
)

// BenchmarkSessionIDOf measures what a refresh adds to answer with session_id: opening the
// session's sealed id and checking that it is the session's (one AES-GCM open, one HMAC).
func BenchmarkSessionIDOf(b *testing.B) {
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		b.Fatal(err)
	}
	s := &Service{keys: keys}
	id := model.NewID()
	sess := model.Session{ID: keys.SessionRef(id), TenantID: model.NewID()}
	if sess.SealedID, err = s.sealSessionID(sess.TenantID, sess.ID, id); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		got, err := s.SessionIDOf(sess)
		if err != nil || got != id {
			b.Fatalf("opened %q, %v; want %q", got, err, id)
		}
	}
}
