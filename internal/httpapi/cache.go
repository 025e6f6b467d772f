package httpapi

import "net/http"

// NoStore is the Cache-Control of every answer of the API but the public documents registered
// with handleCached.
//
// Answers carry one-time codes, magic links, client secrets, webhook secrets, TOTP secrets,
// recovery codes, tokens and session ids, and more routes that do will come. Rather than each
// handler remembering to forbid caching, the route wrapper sets it before the handler runs, for
// success and error answers alike, so a new route is safe unless it is registered as cacheable
// on purpose. Pragma is for HTTP/1.0 caches, which ignore Cache-Control.
const NoStore = "no-store"

// setCachePolicy writes the route's caching headers: NoStore with "Pragma: no-cache" when
// cacheControl is empty, else cacheControl.
func setCachePolicy(w http.ResponseWriter, cacheControl string) {
	h := w.Header()
	if cacheControl == "" {
		h.Set("Cache-Control", NoStore)
		h.Set("Pragma", "no-cache")
		return
	}
	h.Set("Cache-Control", cacheControl)
}
