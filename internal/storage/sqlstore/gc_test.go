package sqlstore

import (
	"strconv"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// TestGarbageCollectInSmallTransactions checks that a backlog is deleted a batch per
// transaction, so that collection never holds the writer for more than one batch: 23 ended
// lockouts in batches of 5 take five transactions, and every other kind of record, having
// nothing to delete, one.
func TestGarbageCollectInSmallTransactions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, postgres bool) {
		s := NewTestStore(t, postgres)
		ctx := testContext(t)
		for i := range 23 {
			l := model.Lockout{TenantID: "t", AppID: "a", Key: "k" + strconv.Itoa(i), Until: testNow.Add(-time.Minute)}
			mustDo(t, s.PutLockout(ctx, l), "put lockout")
		}
		_, txs0 := s.Stats()
		n, err := s.GarbageCollect(ctx, testNow, storage.GCPolicy{Batch: 5})
		mustDo(t, err, "garbage collect")
		_, txs1 := s.Stats()
		if n != 23 {
			t.Errorf("removed %d records, want 23", n)
		}
		if want := int64(len(sessionSteps) + len(gcSteps) - 1 + 5); txs1-txs0 != want {
			t.Errorf("collection took %d transactions, want %d (five batches of lockouts, one try of each other kind)", txs1-txs0, want)
		}
	})
}
