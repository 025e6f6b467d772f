package auth

import (
	"sync"

	"github.com/latchkey/latchkey/internal/model"
)

// maxStandIns bounds the stand-in memory: one entry per application that looked a user up.
const maxStandIns = 4096

// standInUsers remembers, per application, the last user a lookup found. When a lookup finds
// nobody, the reads that follow it (the user's application link, their credentials) are made
// for that user instead and their results discarded: reading rows costs more than finding
// none, so reads made under an id that names nobody would answer sooner than a real user's and
// tell who exists. Nothing read for a stand-in is used: it only takes the time a real user's
// reads take. With no user found yet, a fresh id that names nobody stands in.
type standInUsers struct {
	mu  sync.Mutex
	ids map[string]string // tenant:app -> user id
}

// subjectID returns the id the reads after a lookup are made for: the user found (remembered as
// the application's stand-in), or, when the lookup found nobody (err set or no user), the
// stand-in.
func (s *Service) subjectID(c model.Caller, u model.User, err error) string {
	key := c.TenantID + ":" + c.AppID
	st := &s.standIns
	st.mu.Lock()
	defer st.mu.Unlock()
	if err == nil && u.ID != "" {
		if st.ids == nil || len(st.ids) >= maxStandIns {
			st.ids = map[string]string{}
		}
		st.ids[key] = u.ID
		return u.ID
	}
	if id, ok := st.ids[key]; ok {
		return id
	}
	return model.NewID()
}
