package httpapi

import (
	"net/http"
)

type userCountJSON struct {
	Result struct {
		UserCount int `json:"user_count"`
	} `json:"result"`
}

// countUsers answers how many of the caller's users match the search filter.
func (s *Server) countUsers(w http.ResponseWriter, r *http.Request) error {
	n, err := s.cfg.Directory.Count(r.Context(), callerOf(r), r.URL.Query().Get("search"))
	if err != nil {
		return err
	}
	var out userCountJSON
	out.Result.UserCount = n
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getUserByIdentifier(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	u, err := s.cfg.Directory.GetByIdentifier(r.Context(), callerOf(r), q.Get("identifier_name"), q.Get("identifier_value"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userResult{Result: toUserJSON(u)})
	return nil
}

// getUserGroups answers the groups of a user the caller may see.
func (s *Server) getUserGroups(w http.ResponseWriter, r *http.Request) error {
	c, id := callerOf(r), r.PathValue("user_id")
	// The directory decides whether the caller may see the user at all.
	if _, err := s.cfg.Directory.Groups(r.Context(), c, id); err != nil {
		return err
	}
	groups, err := s.cfg.Groups.UserGroups(r.Context(), c, id)
	if err != nil {
		return err
	}
	out := make([]any, len(groups))
	for i, g := range groups {
		out[i] = GroupJSON(g)
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": out})
	return nil
}
