package directory

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/model"
)

// Bounds of a search's cost, which must not grow with the number of users.
const (
	// MaxPageOffset is the largest page_offset a search takes: skipping users costs as
	// many reads as users skipped, so deeper pages are read after a cursor instead.
	MaxPageOffset = 10000
	// MaxCountedMatches is where the total of a filtered search stops: a search that
	// matches more reports this many. An unfiltered total is kept exactly.
	MaxCountedMatches = 10000
)

// cursorJSON is what a page cursor carries: the order it was made for and the place in it of
// the last user of its page. It names nothing secret: the search that takes it is scoped to
// the caller as any search is.
type cursorJSON struct {
	Sort  string          `json:"s"`
	Desc  bool            `json:"d,omitempty"`
	Value json.RawMessage `json:"v"`
	ID    string          `json:"i"`
}

// NextCursor returns the page_cursor of the page after users, the page in answers to in; ""
// when the page is empty.
func NextCursor(in SearchInput, users []User) string {
	if len(users) == 0 {
		return ""
	}
	sort := sortFields[in.SortField]
	key := model.KeyOf(users[len(users)-1].User, sort)
	v, err := json.Marshal(key.Value)
	if err != nil {
		return ""
	}
	b, err := json.Marshal(cursorJSON{Sort: sort, Desc: strings.EqualFold(in.SortOrder, "desc"), Value: v, ID: key.ID})
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseCursor reads a page cursor made by NextCursor for the order sort (desc when desc);
// the problem with it is returned as text.
func parseCursor(s, sort string, desc bool) (*model.UserKey, string) {
	const bad = "page_cursor: not a cursor of this search; pass page_info.end_cursor of the page before unchanged"
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) > 1024 {
		return nil, bad
	}
	var c cursorJSON
	if err := json.Unmarshal(raw, &c); err != nil || c.ID == "" || len(c.Value) == 0 {
		return nil, bad
	}
	if c.Sort != sort || c.Desc != desc {
		return nil, "page_cursor: was made for another sort_field or sort_order; keep them while paging"
	}
	key := &model.UserKey{ID: c.ID}
	if string(c.Value) == "null" {
		return key, ""
	}
	switch sort {
	case model.UserSortEmail, model.UserSortPhone:
		var v string
		if json.Unmarshal(c.Value, &v) != nil {
			return nil, bad
		}
		key.Value = v
	default:
		n, err := strconv.ParseInt(string(c.Value), 10, 64)
		if err != nil {
			return nil, bad
		}
		key.Value = n
	}
	return key, ""
}
