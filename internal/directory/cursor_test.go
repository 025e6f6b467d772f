package directory

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// TestSearchCursor pages through an application's users by cursor, in two orders, and checks
// that the pages put together are the listing, as offsets page it.
func TestSearchCursor(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		for i := range 5 {
			at := fixedNow.Add(time.Duration(i%3) * time.Second) // ties in creation time
			e.svc.now = func() time.Time { return at }
			e.create(t, e.clientA, CreateInput{Email: fmt.Sprintf("cursor%d@example.com", (i*3)%5)})
		}
		e.create(t, e.clientB, CreateInput{Email: "elsewhere@example.com"})
		for _, in := range []SearchInput{{}, {SortField: "email", SortOrder: "desc"}} {
			all, _, err := e.svc.Search(t.Context(), e.clientA, SearchInput{SortField: in.SortField, SortOrder: in.SortOrder})
			if err != nil || len(all) != 5 {
				t.Fatalf("%+v: %d users, %v", in, len(all), err)
			}
			var paged []string
			in.Limit = 2
			for range 5 {
				page, total, err := e.svc.Search(t.Context(), e.clientA, in)
				if err != nil || total != 5 {
					t.Fatalf("%+v: total %d, %v", in, total, err)
				}
				for _, u := range page {
					paged = append(paged, u.ID)
				}
				if in.Cursor = NextCursor(in, page); in.Cursor == "" {
					break
				}
			}
			var want []string
			for _, u := range all {
				want = append(want, u.ID)
			}
			if !slices.Equal(paged, want) {
				t.Errorf("%s %s by cursor: %v, want %v", in.SortField, in.SortOrder, paged, want)
			}
		}
	})
}

func TestSearchBoundsAndBadCursors(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{Email: "bound@example.com"})
		byEmail := NextCursor(SearchInput{SortField: "email"}, []User{{User: model.User{ID: u.ID, Email: u.Email}}})
		byCreation := NextCursor(SearchInput{}, []User{{User: u.User}})
		for _, c := range []struct {
			in   SearchInput
			want string
		}{
			{SearchInput{Offset: MaxPageOffset + 1}, "page_cursor"},
			{SearchInput{Offset: 1, Cursor: byCreation}, "does not combine"},
			{SearchInput{Cursor: "not a cursor!"}, "not a cursor"},
			{SearchInput{Cursor: "e30"}, "not a cursor"}, // {}
			{SearchInput{Cursor: byEmail}, "another sort_field"},
			{SearchInput{Cursor: byCreation, SortOrder: "desc"}, "another sort_field or sort_order"},
		} {
			_, _, err := e.svc.Search(t.Context(), e.clientA, c.in)
			wantProblems(t, err, fmt.Sprintf("search %+v", c.in), c.want)
		}
		// The deepest offset allowed is taken.
		if _, _, err := e.svc.Search(t.Context(), e.clientA, SearchInput{Offset: MaxPageOffset}); err != nil {
			t.Errorf("offset %d: %v", MaxPageOffset, err)
		}
		// After the only user there is nobody.
		page, total, err := e.svc.Search(t.Context(), e.clientA, SearchInput{Cursor: byCreation})
		if err != nil || len(page) != 0 || total != 1 {
			t.Errorf("after the only user: %d users of %d, %v", len(page), total, err)
		}
	})
}
