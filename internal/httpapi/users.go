package httpapi

import (
	"cmp"
	"math"
	"net/http"
	"strconv"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/storage"
)

// userRoutes registers Mosaic's Users API, whose errors take the Users API's shape
// (FamilyUsers). The client-token routes take any client token: an application's client sees
// its own application's users, a management client the whole tenant (the directory package
// enforces which). Deleting a user from the tenant needs a management token; the me/ routes
// take the user's own access token, which their handlers check.
//
// Literal segments (count, identifier, email, me, ...) outrank the {user_id} wildcard, as
// http.ServeMux ranks patterns; TestLiteralSegmentsBeatWildcards keeps every route reachable.
func (s *Server) userRoutes() {
	user := func(method, pattern string, access Access, h handlerFunc) {
		s.register(Route{Method: method, Pattern: pattern, Access: access, Family: FamilyUsers, handle: h})
	}
	user(http.MethodPost, "/cis/v1/users", ClientToken, s.createUser)
	user(http.MethodGet, "/cis/v1/users", ClientToken, s.searchUsers)
	user(http.MethodGet, "/cis/v1/users/count", ClientToken, s.countUsers)
	user(http.MethodGet, "/cis/v1/users/identifier", ClientToken, s.getUserByIdentifier)
	user(http.MethodGet, "/cis/v1/users/{user_id}", ClientToken, s.getUser)
	user(http.MethodPut, "/cis/v1/users/{user_id}", ClientToken, s.updateUser)
	user(http.MethodDelete, "/cis/v1/users/{user_id}", ClientToken, s.deleteUser)
	user(http.MethodGet, "/cis/v1/users/email/{email}", ClientToken, s.getUserBy(storage.UserByEmail, "email"))
	user(http.MethodGet, "/cis/v1/users/username/{username}", ClientToken, s.getUserBy(storage.UserByUsername, "username"))
	user(http.MethodGet, "/cis/v1/users/phone-number/{phone_number}", ClientToken, s.getUserBy(storage.UserByPhone, "phone_number"))
	user(http.MethodGet, "/cis/v1/users/phone/{phone_number}", ClientToken, s.getUserBy(storage.UserByPhone, "phone_number"))
	user(http.MethodGet, "/cis/v1/users/external-user-id/{external_user_id}", ClientToken,
		s.getUserBy(storage.UserByExternalUserID, "external_user_id"))
	user(http.MethodDelete, "/cis/v1/users/{user_id}/apps", ClientToken, s.removeUserFromApp)
	user(http.MethodDelete, "/cis/v1/users/{user_id}/emails/{email}", ClientToken, s.removeSecondary(directory.AddressEmail, "email"))
	user(http.MethodDelete, "/cis/v1/users/{user_id}/phone-numbers/{phone_number}", ClientToken,
		s.removeSecondary(directory.AddressPhone, "phone_number"))
	user(http.MethodPost, "/cis/v1/users/{user_id}/emails/{email}/verify", ClientToken, s.verifyAddress(directory.AddressEmail, "email"))
	user(http.MethodPost, "/cis/v1/users/{user_id}/phone-numbers/{phone_number}/verify", ClientToken,
		s.verifyAddress(directory.AddressPhone, "phone_number"))
	user(http.MethodPost, "/cis/v1/users/me/password-credentials", Public, s.addOwnPassword)
	user(http.MethodGet, "/cis/v1/users/me/device-keys", Public, s.getOwnDeviceKeys)
	user(http.MethodDelete, "/cis/v1/manage/users/{user_id}", AdminToken, s.deleteUser)
	// GET /cis/v1/users/{user_id}/groups would clash with the lookups by email and the like
	// in http.ServeMux; it joins the GET collections (see handleUserCollections).
	s.handleUserCollections(Route{Method: http.MethodGet, Pattern: "/cis/v1/users/{user_id}/groups", Access: ClientToken,
		Family: FamilyUsers, handle: s.getUserGroups})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var req createUserRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	u, err := s.cfg.Directory.Create(r.Context(), callerOf(r), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, userResult{Result: toUserJSON(u)})
	return nil
}

// pageParams reads page_offset and page_limit, whole numbers when given. Mosaic types them as
// numbers, so 20.0 is 20.
func pageParams(r *http.Request) (offset, limit int, err error) {
	var problems []string
	intParam := func(name string) int {
		v := r.URL.Query().Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n != math.Trunc(n) || math.Abs(n) > 1e9 {
			problems = append(problems, name+": must be a whole number")
			return 0
		}
		return int(n)
	}
	offset, limit = intParam("page_offset"), intParam("page_limit")
	if len(problems) > 0 {
		return 0, 0, fault.Validation(problems...)
	}
	return offset, limit, nil
}

func (s *Server) searchUsers(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	in := directory.SearchInput{
		Search: q.Get("search"), Prefix: q.Get("search_prefix"), SortField: q.Get("sort_field"),
		SortOrder: q.Get("sort_order"), Offset: offset, Limit: limit, Cursor: q.Get("page_cursor"),
	}
	users, total, err := s.cfg.Directory.Search(r.Context(), callerOf(r), in)
	if err != nil {
		return err
	}
	// The total tells whether more follow, unless the page starts after a cursor (the total
	// counts the pages before it too) or the count stopped at its bound; then a full page
	// is taken to have more after it.
	size := cmp.Or(limit, directory.DefaultPageLimit)
	hasNext := offset+len(users) < total
	if in.Cursor != "" || total >= directory.MaxCountedMatches {
		hasNext = len(users) >= size
	}
	out := userList{Result: make([]userJSON, 0, len(users)), TotalCount: total,
		PageInfo: pageInfoJSON{HasNextPage: hasNext, HasPreviousPage: offset > 0 || in.Cursor != ""}}
	if hasNext {
		out.PageInfo.EndCursor = directory.NextCursor(in, users)
	}
	for _, u := range users {
		out.Result = append(out.Result, toUserJSON(u))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.cfg.Directory.Get(r.Context(), callerOf(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userResult{Result: toUserJSON(u)})
	return nil
}

// getUserBy answers a lookup by one identifier, taken from the path wildcard named param.
func (s *Server) getUserBy(field, param string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := s.cfg.Directory.GetBy(r.Context(), callerOf(r), field, r.PathValue(param))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, userResult{Result: toUserJSON(u)})
		return nil
	}
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	var req updateUserRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	u, err := s.cfg.Directory.Update(r.Context(), callerOf(r), r.PathValue("user_id"), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userResult{Result: toUserJSON(u)})
	return nil
}

// deleteUser serves both deletes: for a management caller the directory deletes the user from
// the tenant, for an application's client it removes the user from that application only.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Directory.Delete(r.Context(), callerOf(r), r.PathValue("user_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) removeUserFromApp(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Directory.RemoveFromApp(r.Context(), callerOf(r), r.PathValue("user_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
