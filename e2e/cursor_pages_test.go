package e2e

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCursorPages pages through the users API and the audit log by page_cursor, and checks
// that page_offset past its bound is refused with a message that points to the cursor.
func TestCursorPages(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok, admin := e.appToken(), e.adminToken()
		var want []string
		for i := range 5 {
			e.clock.Advance(time.Second)
			res := e.do("POST", "/cis/v1/users", tok, []byte(fmt.Sprintf(`{"email": "cursor%d@example.com"}`, i)))
			wantStatus(t, res, 201, "")
			want = append(want, result(t, res)["user_id"].(string))
		}
		pages := func(path, token, idField string) (ids []string, previous []bool) {
			t.Helper()
			cursor := ""
			for range 10 {
				p := path
				if cursor != "" {
					p += "&page_cursor=" + url.QueryEscape(cursor)
				}
				res := e.do("GET", p, token, nil)
				wantStatus(t, res, 200, "")
				body := res.JSON(t)
				for _, r := range body["result"].([]any) {
					ids = append(ids, r.(map[string]any)[idField].(string))
				}
				info := body["page_info"].(map[string]any)
				previous = append(previous, info["has_previous_page"].(bool))
				next, _ := info["end_cursor"].(string)
				if info["has_next_page"] != true || next == "" {
					break
				}
				cursor = next
			}
			return ids, previous
		}
		got, previous := pages("/cis/v1/users?page_limit=2", tok, "user_id")
		if !slices.Equal(got, want) {
			t.Errorf("users by cursor: %v, want %v", got, want)
		}
		if !slices.Equal(previous, []bool{false, true, true}) {
			t.Errorf("users by cursor: has_previous_page %v, want false, true, true", previous)
		}
		slices.Reverse(want)
		if got, _ := pages("/cis/v1/users?page_limit=2&sort_order=desc", tok, "user_id"); !slices.Equal(got, want) {
			t.Errorf("users by cursor, newest first: %v, want %v", got, want)
		}
		// The creations were audited: the log pages by cursor too, newest first.
		all := e.do("GET", "/cis/v1/audit?type=admin.change&page_limit=1000", admin, nil)
		wantStatus(t, all, 200, "")
		var events []string
		for _, r := range all.JSON(t)["result"].([]any) {
			events = append(events, r.(map[string]any)["event_id"].(string))
		}
		if len(events) < 5 {
			t.Fatalf("%d admin.change events, want at least 5", len(events))
		}
		if got, _ := pages("/cis/v1/audit?type=admin.change&page_limit=2", admin, "event_id"); !slices.Equal(got, events) {
			t.Errorf("audit by cursor: %v, want %v", got, events)
		}

		for _, path := range []string{"/cis/v1/users?page_offset=10001", "/cis/v1/audit?page_offset=10001"} {
			token := tok
			if strings.Contains(path, "audit") {
				token = admin
			}
			res := e.do("GET", path, token, nil)
			wantStatus(t, res, 400, "")
			if !strings.Contains(string(res.Body), "page_cursor") {
				t.Errorf("GET %s: %s, want a message pointing to page_cursor", path, res.Body)
			}
		}
		res := e.do("GET", "/cis/v1/users?page_cursor=bogus", tok, nil)
		wantStatus(t, res, 400, "")
	})
}
