package audit

import (
	"context"
	"sort"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// MaxOverviewWindow bounds how far back an overview counts: each of its reads is a range of an
// index, and a longer one is what the audit search is for.
const MaxOverviewWindow = 7 * 24 * time.Hour

// overviewLockouts is how many of the lockouts in force an overview lists.
const overviewLockouts = 20

// Overview is a tenant's recent activity: what its administrators look at first.
type Overview struct {
	Since time.Time
	// Logins are the login attempts of the window per login method, most used first.
	Logins []MethodLogins
	// Succeeded and Failed total Logins.
	Succeeded, Failed int
	// Lockouts and RateLimited count the window's lockout and rate_limited events.
	Lockouts, RateLimited int
	// Locked are the lockouts in force now, the one ending last first, at most 20 of
	// LockedTotal.
	Locked      []model.Lockout
	LockedTotal int
	// Backlog is what the outbox still owes the tenant: emails, SMS and webhook events.
	Backlog model.Backlog
}

// MethodLogins are one login method's attempts.
type MethodLogins struct {
	Method            string // an AMR value
	Succeeded, Failed int
}

// Overview summarises the caller's tenant's activity over the window before now.
func (l *Log) Overview(ctx context.Context, c model.Caller, window time.Duration) (Overview, error) {
	if window <= 0 || window > MaxOverviewWindow {
		return Overview{}, fault.Validation("the window must be between a moment and 7 days")
	}
	now := l.now().UTC()
	o := Overview{Since: now.Add(-window).Truncate(time.Millisecond)}
	counts, err := l.store.CountAudit(ctx, c.TenantID,
		[]string{model.EventLoginSucceeded, model.EventLoginFailed, model.EventLockout, model.EventRateLimited}, o.Since)
	if err != nil {
		return Overview{}, fault.Wrap(err, "count audit events")
	}
	byMethod := map[string]*MethodLogins{}
	for _, n := range counts {
		switch n.Type {
		case model.EventLockout:
			o.Lockouts += n.Count
			continue
		case model.EventRateLimited:
			o.RateLimited += n.Count
			continue
		}
		m := byMethod[n.Method]
		if m == nil {
			m = &MethodLogins{Method: n.Method}
			byMethod[n.Method] = m
		}
		if n.Type == model.EventLoginSucceeded {
			m.Succeeded += n.Count
			o.Succeeded += n.Count
		} else {
			m.Failed += n.Count
			o.Failed += n.Count
		}
	}
	for _, m := range byMethod {
		o.Logins = append(o.Logins, *m)
	}
	sort.Slice(o.Logins, func(i, j int) bool {
		a, b := o.Logins[i], o.Logins[j]
		if a.Succeeded+a.Failed != b.Succeeded+b.Failed {
			return a.Succeeded+a.Failed > b.Succeeded+b.Failed
		}
		return a.Method < b.Method
	})
	if o.Locked, o.LockedTotal, err = l.store.ListActiveLockouts(ctx, c.TenantID, now, overviewLockouts); err != nil {
		return Overview{}, fault.Wrap(err, "list lockouts")
	}
	if o.Backlog, err = l.store.TenantOutboxBacklog(ctx, c.TenantID); err != nil {
		return Overview{}, fault.Wrap(err, "outbox backlog")
	}
	return o, nil
}
