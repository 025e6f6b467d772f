package auth

import (
	"sync"

	"github.com/latchkey/latchkey/internal/model"
)

// maxStandIns bounds the stand-in memory: one entry per application that looked a user up.
const maxStandIns = 4096

// standInUsers remembers, per application and flow, the last user a lookup found (for a reset,
// one with a password), so that a stand-in tends to have what the flow reads. When a lookup finds
// nobody, the reads that follow it (the user's application link, their credentials) are made
// for that user instead and their results discarded: reading rows costs more than finding
// none, so reads made under an id that names nobody would answer sooner than a real user's and
// tell who exists. Nothing read for a stand-in is used: it only takes the time a real user's
// reads take. With no user found yet, a fresh id that names nobody stands in.
type standInUsers struct {
	mu  sync.Mutex
	ids map[string]string // tenant:app:flow -> user id
}

// SubjectID returns the id the reads after a lookup are made for: the user found, or, when the
// lookup found nobody (err set or no user), the application's stand-in.
func (s *Service) SubjectID(c model.Caller, flow string, u model.User, err error) string {
	if err == nil && u.ID != "" {
		return u.ID
	}
	return s.StandIn(c, flow)
}

// StandIn returns the flow's stand-in for the caller's application, or a fresh id that names
// nobody when the flow has found no user yet.
func (s *Service) StandIn(c model.Caller, flow string) string {
	st := &s.standIns
	st.mu.Lock()
	defer st.mu.Unlock()
	if id, ok := st.ids[c.TenantID+":"+c.AppID+":"+flow]; ok {
		return id
	}
	return model.NewID()
}

// RememberStandIn makes a user that a lookup of a flow found among the application's users
// the flow's stand-in.
func (s *Service) RememberStandIn(c model.Caller, flow, userID string) {
	st := &s.standIns
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ids == nil || len(st.ids) >= maxStandIns {
		st.ids = map[string]string{}
	}
	st.ids[c.TenantID+":"+c.AppID+":"+flow] = userID
}
