package storage

import (
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// CodeAttemptQuery names what CodeAttempt reads. Where the latest code names a user, the
// user's lockout key and failure counter are the prefixes followed by the user's id; so an
// attempt whose keys depend on the code it finds still reads them all at once.
type CodeAttemptQuery struct {
	TenantID, AppID, Purpose, Identifier string
	Now                                  time.Time
	// LockKey is checked whatever the code; UserLockPrefix+userID too when the code names
	// a user.
	LockKey, UserLockPrefix string
	// Counter is the failure counter (as Counters names it) when the code names no user,
	// UserCounterPrefix+userID when it does.
	Counter, UserCounterPrefix string
}

// CodeAttempt is what CodeAttempt read.
type CodeAttempt struct {
	// Code is the newest unspent code (as LatestCode); Found is false when there is none.
	Code  model.OneTimeCode
	Found bool
	// LockedUntil is the latest end of the lockouts of the keys in force at Now; nil when none is.
	LockedUntil *time.Time
	// Failures is the counter's count in its current window: zero when it has none, or its
	// window ended by Now.
	Failures int64
	// The code's user (see CodeUser), read by the same statement so that a login needs no
	// read of its own for them.
	CodeUser
}

// CodeUser is a code's user with their link to the code's application: User, Link and
// Linked are what GetUserAndLink(code's tenant, application, UserID) would return. UserFound
// is false when the code names no user, or names one that no longer exists (where
// GetUserAndLink answers ErrNotFound); User and Link are then zero. Nothing is locked: a
// login that goes on to write relies on its own writes failing for a user gone by then
// (MarkLogin), as it would after a separate read.
type CodeUser struct {
	User      model.User
	Link      model.AppUser
	UserFound bool
	Linked    bool
}
