package auth

import (
	"context"
	"net/netip"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// SendLimit is one counter a send is checked against.
type SendLimit struct {
	Key   string
	Limit int
	What  string
}

// CheckSend counts one send of a code or link against the application's limits: per
// identifier, per end-user IP address (forwarded by the calling backend, and trusted because
// that backend authenticated), and, when phone is set, per phone-number prefix of that SMS
// destination. Exceeding any limit is a 429 with Retry-After. Unknown identifiers are counted
// like known ones, so limits reveal nothing about who has an account.
func (s *Service) CheckSend(ctx context.Context, c model.Caller, lim model.RateLimits, identifier, phone, ip string, now time.Time) (err error) {
	ctx, span := s.step(ctx, "auth.check_send")
	defer func() { span.End(err) }()
	base := c.TenantID + ":" + c.AppID + ":"
	limits := []SendLimit{{Key: "send:id:" + base + identifier, Limit: lim.SendsPerIdentifier, What: "this identifier"}}
	if ip != "" {
		limits = append(limits, SendLimit{Key: "send:ip:" + base + IPKey(ip), Limit: lim.SendsPerIP, What: "this IP address"})
	}
	for _, l := range limits {
		if err := s.Hit(ctx, s.store, l, now, time.Hour); err != nil {
			return err
		}
	}
	if phone != "" {
		return s.CheckPhonePrefix(ctx, c, lim, phone, now)
	}
	return nil
}

// IPKey is what the per-IP limit counts an address under: an IPv4 address, or the /64 of an
// IPv6 one, since a single host commonly holds a whole /64 and could otherwise send from as
// many addresses as it likes.
func IPKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.WithZone("").Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// CheckPhonePrefix counts one SMS to phone against the application's limit per phone-number
// prefix.
func (s *Service) CheckPhonePrefix(ctx context.Context, c model.Caller, lim model.RateLimits, phone string, now time.Time) error {
	key := "send:prefix:" + c.TenantID + ":" + c.AppID + ":" + phonePrefix(phone, lim.PhonePrefixDigits)
	return s.Hit(ctx, s.store, SendLimit{Key: key, Limit: lim.SendsPerPhonePrefix, What: "this phone number range"}, now, time.Hour)
}

// Hit counts one event against l in a window of the given length and fails once the count
// exceeds the limit.
func (s *Service) Hit(ctx context.Context, st storage.Counters, l SendLimit, now time.Time, window time.Duration) error {
	n, reset, err := st.CountHit(ctx, l.Key, now, now.Add(window))
	if err != nil {
		return fault.Wrap(err, "count "+l.Key)
	}
	if n > int64(l.Limit) {
		e := fault.New(fault.RateLimited, fault.CodeRateLimited, "too many requests for %s; try again later", l.What)
		e.RetryAfter = reset.Sub(now)
		return e
	}
	return nil
}

// phonePrefix returns the leading digits of an E.164 number that identify its range.
func phonePrefix(phone string, digits int) string {
	if len(phone) > digits+1 {
		return phone[:digits+1]
	}
	return phone
}
