package directory

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

func TestSearchPaging(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		var ids []string
		for i := range 7 {
			// Creation times increase, so the listing order is the creation order.
			at := fixedNow.Add(time.Duration(i) * time.Second)
			e.svc.now = func() time.Time { return at }
			u := e.create(t, e.clientA, CreateInput{Email: fmt.Sprintf("page%d@example.com", i),
				CustomAppData: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
			ids = append(ids, u.ID)
		}
		e.create(t, e.clientB, CreateInput{Email: "elsewhere@example.com"})

		page, total, err := e.svc.Search(t.Context(), e.clientA, "", 2, 3)
		if err != nil || total != 7 || len(page) != 3 {
			t.Fatalf("page 2..4 = %d of %d, %v; want 3 of 7", len(page), total, err)
		}
		for i, u := range page {
			if u.ID != ids[2+i] || string(u.CustomAppData) != fmt.Sprintf(`{"n":%d}`, 2+i) {
				t.Errorf("page[%d] = %s %s, want %s with n=%d", i, u.ID, u.CustomAppData, ids[2+i], 2+i)
			}
		}
		page, total, err = e.svc.Search(t.Context(), e.clientA, "", 6, 0)
		if err != nil || total != 7 || len(page) != 1 || page[0].ID != ids[6] {
			t.Errorf("last page = %d of %d, %v", len(page), total, err)
		}
		page, total, err = e.svc.Search(t.Context(), e.clientA, "", 50, 10)
		if err != nil || total != 7 || len(page) != 0 || page == nil {
			t.Errorf("page past the end = %v of %d, %v; want an empty list", page, total, err)
		}
		_, total, _ = e.svc.Search(t.Context(), e.admin, "", 0, 0)
		if total != 8 {
			t.Errorf("admin sees %d users, want 8", total)
		}

		page, total, err = e.svc.Search(t.Context(), e.clientA, "PAGE3", 0, 0)
		if err != nil || total != 1 || len(page) != 1 || page[0].ID != ids[3] {
			t.Errorf("substring search = %d (%v)", total, err)
		}
		_, err = e.svc.Update(t.Context(), e.clientA, ids[4], UpdateInput{Status: ptr(model.UserDisabled)})
		if err != nil {
			t.Fatalf("disable: %v", err)
		}
		page, total, err = e.svc.Search(t.Context(), e.clientA, `status eq "Disabled"`, 0, 0)
		if err != nil || total != 1 || page[0].ID != ids[4] {
			t.Errorf("status filter = %d (%v)", total, err)
		}
		page, total, err = e.svc.Search(t.Context(), e.clientA, `email eq "Page5@example.com"`, 0, 0)
		if err != nil || total != 1 || page[0].ID != ids[5] {
			t.Errorf("email filter = %d (%v)", total, err)
		}
		page, total, err = e.svc.Search(t.Context(), e.clientA, `user_id eq "`+ids[1]+`"`, 1, 0)
		if err != nil || total != 1 || len(page) != 0 {
			t.Errorf("user_id filter past its one result = %d of %d (%v)", len(page), total, err)
		}
	})
}

func TestSearchValidation(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		_, _, err := e.svc.Search(t.Context(), e.admin, "", -1, 5001)
		wantProblems(t, err, "bad paging", "page_offset", "page_limit")
		_, _, err = e.svc.Search(t.Context(), e.admin, `email sw "a"`, 0, 0)
		wantProblems(t, err, "unsupported operator", "eq")
		_, _, err = e.svc.Search(t.Context(), e.admin, `birthday eq "2000-01-01"`, 0, 0)
		wantProblems(t, err, "unsupported attribute", "birthday")
		_, _, err = e.svc.Search(t.Context(), e.admin, `status eq "Gone"`, 0, 0)
		wantProblems(t, err, "unknown status", "status")
		if _, _, err := e.svc.Search(t.Context(), e.admin, "", 0, MaxPageLimit); err != nil {
			t.Errorf("the largest page: %v", err)
		}
	})
}

// A page of an application's users and their application data takes a fixed number of reads,
// not one per user.
func TestSearchReadsPerPage(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		stats, ok := e.store.(interface{ Stats() (int64, int64) })
		if !ok {
			t.Fatal("the store has no statement counter")
		}
		for i := range 30 {
			e.create(t, e.clientA, CreateInput{Email: fmt.Sprintf("reads%d@example.com", i),
				CustomAppData: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
		}
		before, _ := stats.Stats()
		page, total, err := e.svc.Search(t.Context(), e.clientA, "", 0, 30)
		after, _ := stats.Stats()
		if err != nil || total != 30 || len(page) != 30 {
			t.Fatalf("page = %d of %d, %v; want 30 of 30", len(page), total, err)
		}
		for _, u := range page {
			if len(u.CustomAppData) == 0 {
				t.Errorf("user %s lacks the application's data", u.ID)
			}
		}
		// Count, page, and the page's application links.
		if n := after - before; n > 3 {
			t.Errorf("a page of 30 users took %d statements, want at most 3", n)
		}
	})
}
