package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/latchkey/latchkey/internal/groups"
	"github.com/latchkey/latchkey/internal/model"
)

// groupRoutes serves Mosaic's Groups API. Groups are tenant-wide, so any application's client
// token manages them, as in Mosaic.
func (s *Server) groupRoutes() {
	s.handle(http.MethodPost, "/cis/v1/groups", ClientToken, s.createGroup)
	s.handle(http.MethodGet, "/cis/v1/groups", ClientToken, s.listGroups)
	s.handle(http.MethodGet, "/cis/v1/groups/{group_id}", ClientToken, s.getGroup)
	s.handle(http.MethodPut, "/cis/v1/groups/{group_id}", ClientToken, s.updateGroup)
	s.handle(http.MethodDelete, "/cis/v1/groups/{group_id}", ClientToken, s.deleteGroup)
	s.handle(http.MethodPost, "/cis/v1/groups/{group_id}/users", ClientToken, s.addGroupUsers)
	s.handle(http.MethodGet, "/cis/v1/groups/{group_id}/users", ClientToken, s.listGroupUsers)
	s.handle(http.MethodDelete, "/cis/v1/groups/{group_id}/users/{user_id}", ClientToken, s.removeGroupUser)
}

// groupRequest is the body of POST /cis/v1/groups and PUT /cis/v1/groups/{group_id}.
type groupRequest struct {
	Name        *string         `json:"name"`
	Description *string         `json:"description"`
	CustomData  json.RawMessage `json:"custom_data"`
}

// groupJSON is a group as Mosaic returns it; times are epoch milliseconds.
type groupJSON struct {
	GroupID     string          `json:"group_id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	CreatedAt   int64           `json:"created_at"`
	UpdatedAt   int64           `json:"updated_at"`
	CustomData  json.RawMessage `json:"custom_data"`
}

// GroupJSON renders a group as every API that returns one does (the Users API's groups of a
// user too).
func GroupJSON(g model.Group) any { return toGroupJSON(g) }

func toGroupJSON(g model.Group) groupJSON {
	data := g.CustomData
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	return groupJSON{
		GroupID: g.ID, Name: g.Name, Description: g.Description,
		CreatedAt: g.CreatedAt.UnixMilli(), UpdatedAt: g.UpdatedAt.UnixMilli(), CustomData: data,
	}
}

func (req groupRequest) input() groups.Input {
	return groups.Input{Name: req.Name, Description: req.Description, CustomData: req.CustomData}
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) error {
	var req groupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	g, err := s.cfg.Groups.Create(r.Context(), callerOf(r), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adminResult[groupJSON]{Result: toGroupJSON(g)})
	return nil
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Groups.List(r.Context(), callerOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]groupJSON]{Result: mapAll(list, toGroupJSON)})
	return nil
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := s.cfg.Groups.Get(r.Context(), callerOf(r), r.PathValue("group_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[groupJSON]{Result: toGroupJSON(g)})
	return nil
}

func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request) error {
	var req groupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	g, err := s.cfg.Groups.Update(r.Context(), callerOf(r), r.PathValue("group_id"), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[groupJSON]{Result: toGroupJSON(g)})
	return nil
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Groups.Delete(r.Context(), callerOf(r), r.PathValue("group_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// groupUsersRequest is the body of POST /cis/v1/groups/{group_id}/users.
type groupUsersRequest struct {
	UserIDs []string `json:"user_ids"`
}

func (s *Server) addGroupUsers(w http.ResponseWriter, r *http.Request) error {
	var req groupUsersRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.cfg.Groups.AddUsers(r.Context(), callerOf(r), r.PathValue("group_id"), req.UserIDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listGroupUsers(w http.ResponseWriter, r *http.Request) error {
	ids, err := s.cfg.Groups.Users(r.Context(), callerOf(r), r.PathValue("group_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]string]{Result: ids})
	return nil
}

func (s *Server) removeGroupUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Groups.RemoveUser(r.Context(), callerOf(r), r.PathValue("group_id"), r.PathValue("user_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
