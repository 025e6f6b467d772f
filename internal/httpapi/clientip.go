package httpapi

import (
	"context"
	"net/http"
	"net/netip"

	"github.com/latchkey/latchkey/internal/clientip"
)

type clientIPKey struct{}

// clientIP is the address of the end user's device as the middleware resolved it (see
// clientip.Resolve): every per-IP limit and audit record of a request reads this one value.
func clientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	return clientip.Resolve(r, nil)
}

func withClientIP(r *http.Request, trusted []netip.Prefix) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), clientIPKey{}, clientip.Resolve(r, trusted)))
}
