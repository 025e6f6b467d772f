package httpapi

import (
	"encoding/json"
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

// groupJSON is Mosaic's ApiGroup: times in epoch milliseconds.
type groupJSON struct {
	GroupID     string          `json:"group_id"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	CreatedAt   int64           `json:"created_at"`
	UpdatedAt   int64           `json:"updated_at"`
	CustomData  json.RawMessage `json:"custom_data,omitempty"`
}

func (s *Server) getUserGroups(w http.ResponseWriter, r *http.Request) error {
	groups, err := s.cfg.Directory.Groups(r.Context(), callerOf(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	out := make([]groupJSON, len(groups))
	for i, g := range groups {
		out[i] = groupJSON{GroupID: g.ID, Name: g.Name, Description: g.Description,
			CreatedAt: g.CreatedAt.UnixMilli(), UpdatedAt: g.UpdatedAt.UnixMilli(), CustomData: g.CustomData}
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": out})
	return nil
}
