package httpapi

import (
	"net/http"
	"strconv"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/storage"
)

// userRoutes registers Mosaic's Users API. Every route takes a client token: an application's
// client sees its own application's users, a management client the whole tenant (the directory
// package enforces which). Deleting a user from the tenant needs a management token.
func (s *Server) userRoutes() {
	s.handle(http.MethodPost, "/cis/v1/users", ClientToken, s.createUser)
	s.handle(http.MethodGet, "/cis/v1/users", ClientToken, s.searchUsers)
	s.handle(http.MethodGet, "/cis/v1/users/{user_id}", ClientToken, s.getUser)
	s.handle(http.MethodPut, "/cis/v1/users/{user_id}", ClientToken, s.updateUser)
	s.handle(http.MethodDelete, "/cis/v1/users/{user_id}", ClientToken, s.deleteUser)
	s.handle(http.MethodGet, "/cis/v1/users/email/{email}", ClientToken, s.getUserBy(storage.UserByEmail, "email"))
	s.handle(http.MethodGet, "/cis/v1/users/username/{username}", ClientToken, s.getUserBy(storage.UserByUsername, "username"))
	s.handle(http.MethodGet, "/cis/v1/users/phone-number/{phone_number}", ClientToken, s.getUserBy(storage.UserByPhone, "phone_number"))
	s.handle(http.MethodGet, "/cis/v1/users/external-user-id/{external_user_id}", ClientToken,
		s.getUserBy(storage.UserByExternalUserID, "external_user_id"))
	s.handle(http.MethodDelete, "/cis/v1/users/{user_id}/apps", ClientToken, s.removeUserFromApp)
	s.handle(http.MethodDelete, "/cis/v1/manage/users/{user_id}", AdminToken, s.deleteUser)
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

func (s *Server) searchUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var problems []string
	intParam := func(name string) int {
		v := q.Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			problems = append(problems, name+": must be a whole number")
		}
		return n
	}
	offset, limit := intParam("page_offset"), intParam("page_limit")
	if len(problems) > 0 {
		return fault.Validation(problems...)
	}
	users, total, err := s.cfg.Directory.Search(r.Context(), callerOf(r), q.Get("search"), offset, limit)
	if err != nil {
		return err
	}
	out := userList{Result: make([]userJSON, 0, len(users)), TotalCount: total}
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
