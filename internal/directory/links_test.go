package directory

import (
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
)

// A management caller sees every application a user belongs to; an application's client is
// refused, and another tenant's administrator does not find the user.
func TestLinks(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{Email: "links@example.com"})
		// Application B adopts the same user by creating them with the same address.
		e.create(t, e.clientB, CreateInput{Email: "links@example.com"})
		only := e.create(t, e.admin, CreateInput{Email: "nobody-links@example.com"})

		links, err := e.svc.Links(t.Context(), e.admin, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, l := range links {
			if l.UserID != u.ID {
				t.Errorf("a link of another user: %+v", l)
			}
			got[l.AppID] = true
		}
		if len(links) != 2 || !got[e.clientA.AppID] || !got[e.clientB.AppID] {
			t.Errorf("links %+v, want applications A and B", links)
		}
		if none, err := e.svc.Links(t.Context(), e.admin, only.ID); err != nil || len(none) != 0 {
			t.Errorf("a user of no application: %+v, %v", none, err)
		}
		_, err = e.svc.Links(t.Context(), e.clientA, u.ID)
		wantFault(t, err, fault.Forbidden, fault.CodeForbidden, "an application's client")
		_, err = e.svc.Links(t.Context(), e.other, u.ID)
		wantNotFound(t, err, "another tenant's administrator")
	})
}
