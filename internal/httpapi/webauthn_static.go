package httpapi

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
)

// static holds the passkey browser script and its example page.
//
//go:embed static/webauthn.js static/webauthn-example.html
var static embed.FS

// staticCache lets caches keep the embedded files for five minutes.
const staticCache = "public, max-age=300"

// serveStatic serves one embedded file. The files change only with a new release, so they
// may be cached for a while but are revalidated by their ETag.
func serveStatic(name, contentType string) handlerFunc {
	data, err := static.ReadFile("static/" + name)
	if err != nil {
		panic("embedded file missing: " + name) // a build defect, caught by any test
	}
	etag := `"` + etagOf(data) + `"`
	return func(w http.ResponseWriter, r *http.Request) error {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("ETag", etag)
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(data)
		}
		return nil
	}
}

func etagOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:12])
}
