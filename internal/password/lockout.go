package password

import (
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// TierWindow is how long failures count towards lockout tiers: a fixed window from the first
// failure, reset by a successful login. It is long so that tiers can escalate across the
// lockouts between them.
const TierWindow = 24 * time.Hour

// Failures are the counts of one login's recent wrong passwords, this one included.
type Failures struct {
	// Recent counts failures within failuresExpireIn minutes since the last lockout.
	Recent int64
	// Total counts failures within TierWindow.
	Total int64
}

// LockFor decides whether a failure locks the login, and for how long. Two rules apply and
// the longer lockout wins:
//   - maxPasswordFailures recent failures lock for passwordSuspensionDuration minutes;
//   - with lockoutTiers, the failure that brings Total to a tier's attempts locks for its
//     duration, and past the last tier every failure locks for the last tier's duration.
func LockFor(p model.PasswordPreferences, f Failures) (time.Duration, bool) {
	var d time.Duration
	if f.Recent >= int64(p.MaxPasswordFailures) {
		d = time.Duration(p.PasswordSuspensionDuration) * time.Minute
	}
	tiers := p.LockoutTiers
	for i := len(tiers) - 1; i >= 0; i-- {
		t := tiers[i]
		if f.Total < int64(t.Attempts) {
			continue
		}
		if f.Total == int64(t.Attempts) || i == len(tiers)-1 {
			d = max(d, time.Duration(t.Duration)*time.Minute)
		}
		break
	}
	return d, d > 0
}
