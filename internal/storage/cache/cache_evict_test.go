package cache

import (
	"strconv"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// TestFullCacheEvictsOneEntryAtATime fills one kind of record to its bound and adds more:
// each addition drops one entry, preferring an expired one, and the rest stay.
func TestFullCacheEvictsOneEntryAtATime(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &records{ttl: time.Minute, now: func() time.Time { return now }}
	r.clear()
	tenants := func() map[string]entry[model.Tenant] { return r.tenants }
	for i := range maxEntries {
		keep(r, tenants, "t"+strconv.Itoa(i), model.Tenant{ID: "t" + strconv.Itoa(i)}, r.gen)
	}
	keep(r, tenants, "extra", model.Tenant{ID: "extra"}, r.gen)
	if got := len(r.tenants); got != maxEntries {
		t.Fatalf("after one more entry the kind holds %d, want %d (one evicted)", got, maxEntries)
	}
	if _, ok := r.tenants["extra"]; !ok {
		t.Error("the new entry was not kept")
	}
	// Replacing an entry already held evicts nothing.
	keep(r, tenants, "extra", model.Tenant{ID: "extra"}, r.gen)
	if got := len(r.tenants); got != maxEntries {
		t.Errorf("replacing an entry changed the size to %d", got)
	}

	// With one entry expired among live ones, that one goes first.
	r.tenants["t5"] = entry[model.Tenant]{v: model.Tenant{ID: "t5"}, expires: now.Add(-time.Second)}
	// Probing is bounded, so try a few additions; the expired entry must go before any live
	// one is dropped only when the probe meets it, and at most one entry goes per addition.
	before := len(r.tenants)
	keep(r, tenants, "another", model.Tenant{ID: "another"}, r.gen)
	if got := len(r.tenants); got != before {
		t.Errorf("an addition to a full kind changed its size from %d to %d", before, got)
	}
}

func TestEvictOnePrefersAnExpiredEntry(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 50 { // map order is random: repeat to cover where the expired entry falls
		m := map[string]entry[int]{}
		for i := range evictProbes {
			m[strconv.Itoa(i)] = entry[int]{v: i, expires: now.Add(time.Minute)}
		}
		m["old"] = entry[int]{expires: now.Add(-time.Minute)}
		// With the map no larger than the probes plus one, the expired entry is always seen
		// unless the probes end first; then a live one goes. Either way exactly one goes.
		evictOne(m, now)
		if len(m) != evictProbes {
			t.Fatalf("evictOne left %d entries of %d", len(m), evictProbes+1)
		}
	}
	m := map[string]entry[int]{"a": {expires: now.Add(time.Minute)}, "old": {expires: now.Add(-time.Minute)}}
	for range 50 {
		mm := map[string]entry[int]{"a": m["a"], "old": m["old"]}
		evictOne(mm, now)
		if _, ok := mm["old"]; ok {
			t.Fatal("with fewer entries than the probes, a live entry went before the expired one")
		}
	}
}
