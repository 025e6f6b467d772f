package directory

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
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
		search := func(c model.Caller, in SearchInput) ([]User, int, error) {
			return e.svc.Search(t.Context(), c, in)
		}

		page, total, err := search(e.clientA, SearchInput{Offset: 2, Limit: 3})
		if err != nil || total != 7 || len(page) != 3 {
			t.Fatalf("page 2..4 = %d of %d, %v; want 3 of 7", len(page), total, err)
		}
		for i, u := range page {
			if u.ID != ids[2+i] || string(u.CustomAppData) != fmt.Sprintf(`{"n":%d}`, 2+i) || u.AppName == "" {
				t.Errorf("page[%d] = %s %s %q, want %s with n=%d and the application's name", i, u.ID, u.CustomAppData, u.AppName, ids[2+i], 2+i)
			}
		}
		page, total, err = search(e.clientA, SearchInput{Offset: 6})
		if err != nil || total != 7 || len(page) != 1 || page[0].ID != ids[6] {
			t.Errorf("last page = %d of %d, %v", len(page), total, err)
		}
		page, total, err = search(e.clientA, SearchInput{Offset: 50, Limit: 10})
		if err != nil || total != 7 || len(page) != 0 || page == nil {
			t.Errorf("page past the end = %v of %d, %v; want an empty list", page, total, err)
		}
		_, total, _ = search(e.admin, SearchInput{})
		if total != 8 {
			t.Errorf("admin sees %d users, want 8", total)
		}
		if n, err := e.svc.Count(t.Context(), e.clientA, ""); err != nil || n != 7 {
			t.Errorf("Count = %d, %v; want 7", n, err)
		}

		_, err = e.svc.Update(t.Context(), e.clientA, ids[4], UpdateInput{Status: ptr(model.UserDisabled)})
		if err != nil {
			t.Fatalf("disable: %v", err)
		}
		page, total, err = search(e.clientA, SearchInput{Search: `status eq "disabled"`})
		if err != nil || total != 1 || page[0].ID != ids[4] {
			t.Errorf("status filter = %d (%v)", total, err)
		}
		if n, err := e.svc.Count(t.Context(), e.clientA, `status ne "Disabled"`); err != nil || n != 6 {
			t.Errorf("Count of the others = %d, %v; want 6", n, err)
		}
		page, total, err = search(e.clientA, SearchInput{Search: `EMAIL eq "Page5@Example.com"`})
		if err != nil || total != 1 || page[0].ID != ids[5] {
			t.Errorf("email filter = %d (%v)", total, err)
		}
		page, total, err = search(e.clientA, SearchInput{Search: `user_id eq "` + ids[1] + `"`, Offset: 1})
		if err != nil || total != 1 || len(page) != 0 {
			t.Errorf("user_id filter past its one result = %d of %d (%v)", len(page), total, err)
		}
		page, _, err = search(e.clientA, SearchInput{Search: `created_at ge "` + fixedNow.Add(5*time.Second).Format(time.RFC3339) + `"`})
		if err != nil || len(page) != 2 || page[0].ID != ids[5] {
			t.Errorf("created_at ge a date-time = %d users (%v), want the last two", len(page), err)
		}
		page, _, err = search(e.clientA, SearchInput{Search: fmt.Sprintf("created_at lt %d", fixedNow.Add(time.Second).UnixMilli())})
		if err != nil || len(page) != 1 || page[0].ID != ids[0] {
			t.Errorf("created_at lt epoch milliseconds = %d users (%v), want the first", len(page), err)
		}
		page, _, err = search(e.clientA, SearchInput{Prefix: "PAGE6", SortField: "email", SortOrder: "desc"})
		if err != nil || len(page) != 1 || page[0].ID != ids[6] {
			t.Errorf("search_prefix = %d users (%v), want page6", len(page), err)
		}
		page, _, err = search(e.clientA, SearchInput{SortField: "email", SortOrder: "DESC", Limit: 2})
		if err != nil || len(page) != 2 || page[0].ID != ids[6] || page[1].ID != ids[5] {
			t.Errorf("sorted by email, descending: %d users (%v), want page6 then page5", len(page), err)
		}
	})
}

func TestSearchValidation(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		search := func(in SearchInput) error {
			_, _, err := e.svc.Search(t.Context(), e.admin, in)
			return err
		}
		wantProblems(t, search(SearchInput{Offset: -1, Limit: 5001}), "bad paging", "page_offset", "page_limit")
		wantProblems(t, search(SearchInput{SortField: "password", SortOrder: "up"}), "bad order", "sort_field", "sort_order")
		wantProblems(t, search(SearchInput{SortField: "organization_added_at"}), "organization order", "organizations")
		wantProblems(t, search(SearchInput{Search: `email co "a"`, Limit: -1}), "bad search and paging", "is not an operator", "page_limit")
		wantProblems(t, search(SearchInput{Search: `password eq "a"`}), "unknown attribute", "not a searchable attribute")
		wantProblems(t, search(SearchInput{Search: `status eq "Gone"`}), "unknown status", "Active, Disabled, Pending")
		wantProblems(t, search(SearchInput{Search: `last_auth gt "yesterday"`}), "bad date", "ISO 8601")
		wantProblems(t, search(SearchInput{Prefix: strings.Repeat("a", 300)}), "long prefix", "search_prefix")
		if err := search(SearchInput{Limit: MaxPageLimit}); err != nil {
			t.Errorf("the largest page: %v", err)
		}
		if _, err := e.svc.Count(t.Context(), e.admin, `email eq`); err == nil {
			t.Error("Count with a broken filter: no error")
		}
	})
}

func TestParseFilter(t *testing.T) {
	eq := func(attr string, v any, path ...string) model.UserFilter {
		return model.UserFilter{Op: "eq", Attr: attr, Value: v, Path: path}
	}
	cases := map[string]model.UserFilter{
		`name.first_name eq "John"`:   eq(model.UserAttrFirstName, "John"),
		`Name.First_Name EQ "John"`:   eq(model.UserAttrFirstName, "John"),
		`email eq "Ada@Example.COM"`:  eq(model.UserAttrEmail, "ada@example.com"),
		`secondary_emails sw "ADA@"`:  {Op: "sw", Attr: model.UserAttrSecondaryEmails, Value: "ada@"},
		`status eq "pending"`:         eq(model.UserAttrStatus, model.UserPending),
		`created_at le "2022-08-22"`:  {Op: "le", Attr: model.UserAttrCreatedAt, Value: time.Date(2022, 8, 22, 0, 0, 0, 0, time.UTC).UnixMilli()},
		`updated_at gt 1700000000000`: {Op: "gt", Attr: model.UserAttrUpdatedAt, Value: int64(1700000000000)},
		`last_auth ge "2023-04-22T05:52:49.703+00:00"`: {Op: "ge", Attr: model.UserAttrLastAuth,
			Value: time.Date(2023, 4, 22, 5, 52, 49, 703_000_000, time.UTC).UnixMilli()},
		`birthday eq "1990-05-17T00:00:00.000Z"`:  eq(model.UserAttrBirthday, "1990-05-17"),
		`custom_data.Plan eq "gold"`:              eq(model.UserAttrCustomData, "gold", "Plan"),
		`custom_app_data.a.b-c eq 3`:              eq(model.UserAttrCustomAppData, int64(3), "a", "b-c"),
		`custom_data.score gt 2.5`:                {Op: "gt", Attr: model.UserAttrCustomData, Value: 2.5, Path: []string{"score"}},
		`custom_data.vip eq TRUE`:                 eq(model.UserAttrCustomData, true, "vip"),
		`custom_data.quote eq "say \"hi\"\u00e9"`: eq(model.UserAttrCustomData, `say "hi"é`, "quote"),
		`external_account_id pr`:                  {Op: "pr", Attr: model.UserAttrExternalAccountID},
		`(status eq "Active")`:                    eq(model.UserAttrStatus, model.UserActive),
		`email pr or phone_number pr and username pr`: {Op: "or", Terms: []model.UserFilter{
			{Op: "pr", Attr: model.UserAttrEmail},
			{Op: "and", Terms: []model.UserFilter{{Op: "pr", Attr: model.UserAttrPhone}, {Op: "pr", Attr: model.UserAttrUsername}}},
		}},
		`(email pr or phone_number pr) AND username pr`: {Op: "and", Terms: []model.UserFilter{
			{Op: "or", Terms: []model.UserFilter{{Op: "pr", Attr: model.UserAttrEmail}, {Op: "pr", Attr: model.UserAttrPhone}}},
			{Op: "pr", Attr: model.UserAttrUsername},
		}},
	}
	for in, want := range cases {
		got, err := ParseFilter(in)
		if err != nil {
			t.Errorf("ParseFilter(%s): %v", in, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseFilter(%s) =\n %+v, want\n %+v", in, got, want)
		}
	}
	refused := map[string]string{
		``:                                 "empty",
		`email`:                            "expected an operator",
		`email eq`:                         "expected a value",
		`email eq ada`:                     "quoted string",
		`email co "a"`:                     "is not an operator",
		`(email pr`:                        "not closed",
		`email pr)`:                        "unexpected",
		`email pr and`:                     "ends where a comparison should follow",
		`email eq "a`:                      "not closed",
		`email eq "\x"`:                    "not a valid JSON string",
		`custom_data eq "a"`:               "key path",
		`custom_data.a!b eq "a"`:           "key path",
		`custom_data.a.b.c.d.e.f.g.h.i pr`: "at most 8",
		`custom_data.vip gt true`:          "only with eq and ne",
		`custom_data.x eq nope`:            "neither",
		`custom_data.x sw 3`:               "quote the value",
		`created_at sw "2020"`:             "is a date",
		`birthday eq "17/05/1990"`:         "date such as",
		`"email" eq "a"`:                   "expected an attribute",
		strings.Repeat("(", 11) + "email pr" + strings.Repeat(")", 11): "nests",
		strings.Repeat("email pr or ", 50) + "email pr":                "more than 50",
		`email eq "` + strings.Repeat("a", maxFilterLen) + `"`:         "longer than",
	}
	for in, want := range refused {
		_, err := ParseFilter(in)
		wantProblems(t, err, "ParseFilter("+clip(in)+")", want)
	}
}

// A page of an application's users with what the users API shows of them takes a fixed
// number of reads, not one per user.
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
		page, total, err := e.svc.Search(t.Context(), e.clientA, SearchInput{Limit: 30})
		after, _ := stats.Stats()
		if err != nil || total != 30 || len(page) != 30 {
			t.Fatalf("page = %d of %d, %v; want 30 of 30", len(page), total, err)
		}
		for _, u := range page {
			if len(u.CustomAppData) == 0 || u.Identities == nil || u.GroupIDs == nil {
				t.Errorf("user %s lacks the application's data, their identities or their groups", u.ID)
			}
		}
		// Count, page, the page's application links, the application, the page's groups,
		// login methods and passwords.
		if n := after - before; n > 7 {
			t.Errorf("a page of 30 users took %d statements, want at most 7", n)
		}
	})
}

// TestParseFilterAtTheLimit accepts the largest filter allowed, each comparison parenthesised.
func TestParseFilterAtTheLimit(t *testing.T) {
	terms := make([]string, maxFilterTerms)
	for i := range terms {
		terms[i] = fmt.Sprintf(`(custom_data.k%d eq "v")`, i)
	}
	f, err := ParseFilter(strings.Join(terms, " or "))
	if err != nil || len(f.Terms) != maxFilterTerms {
		t.Errorf("ParseFilter of %d parenthesised comparisons: %d terms, %v", maxFilterTerms, len(f.Terms), err)
	}
}
