package portal

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/model"
)

// pageSize is how many users a page of the list shows.
const pageSize = 25

// usersPage is the data of the users list.
type usersPage struct {
	Query       string
	Users       []directory.User
	Total       int
	Offset      int
	Prev, Next  int
	HasPrev     bool
	HasNext     bool
	First, Last int
}

// listUsers finds users by the start of their email, phone number or username, or by their
// external id, a page at a time, with the API's own search (a SCIM filter).
func (p *Portal) listUsers(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	off = max(off, 0)
	users, total, err := p.cfg.Directory.Search(r.Context(), s.caller(), directory.SearchInput{Search: userFilter(q), Offset: off, Limit: pageSize})
	if err != nil {
		return err
	}
	pg := usersPage{Query: q, Users: users, Total: total, Offset: off,
		Prev: max(off-pageSize, 0), Next: off + pageSize, HasPrev: off > 0, HasNext: off+len(users) < total,
		First: off + 1, Last: off + len(users)}
	p.render(w, r, http.StatusOK, "users", view{Title: "Users", Admin: s, Nav: "users", Data: pg})
	return nil
}

func (p *Portal) showUser(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	return p.renderUser(w, r, s, r.PathValue("user"), http.StatusOK, userEdits{})
}

// revokeSessions ends one session of the user (the form's session, a reference) or, with
// none named, all of them.
func (p *Portal) revokeSessions(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	id := r.PathValue("user")
	ref := r.PostFormValue("session")
	n, err := p.cfg.Sessions.RevokeSessions(r.Context(), s.caller(), id, ref)
	if err != nil {
		return err
	}
	p.record(r, s, "sessions.revoke", id, map[string]any{"session_ref": ref, "revoked": n})
	http.Redirect(w, r, Prefix+"/users/"+id+"?done=session-ended", http.StatusSeeOther)
	return nil
}

// userFilter is the SCIM filter of a search box: the start of an email address, phone number
// or username, or an external id exactly. Quotes and backslashes cannot be part of any of
// those, and are dropped rather than escaped.
func userFilter(q string) string {
	q = strings.NewReplacer(`"`, "", `\`, "").Replace(q)
	if q == "" {
		return ""
	}
	v := `"` + q + `"`
	return "email sw " + v + " or phone_number sw " + v + " or username sw " + v + " or external_user_id eq " + v
}

// setUserStatus disables or enables a user, through the directory's update as the API does.
func (p *Portal) setUserStatus(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	id := r.PathValue("user")
	status := r.PostFormValue("status")
	if _, err := p.cfg.Directory.Update(r.Context(), s.caller(), id, directory.UpdateInput{Status: &status}); err != nil {
		return err
	}
	action, done := "user.enable", "user-enabled"
	if status == model.UserDisabled {
		action, done = "user.disable", "user-disabled"
	}
	p.record(r, s, action, id, nil)
	http.Redirect(w, r, Prefix+"/users/"+id+"?done="+done, http.StatusSeeOther)
	return nil
}
