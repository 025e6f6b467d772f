package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/latchkey/latchkey/internal/fault"
)

// statusOf is the one Kind → HTTP status table.
var statusOf = map[fault.Kind]int{
	fault.Internal:         http.StatusInternalServerError,
	fault.Invalid:          http.StatusBadRequest,
	fault.Unauthenticated:  http.StatusUnauthorized,
	fault.Forbidden:        http.StatusForbidden,
	fault.NotFound:         http.StatusNotFound,
	fault.Conflict:         http.StatusConflict,
	fault.Locked:           http.StatusForbidden, // Mosaic answers auth_locked with 403
	fault.RateLimited:      http.StatusTooManyRequests,
	fault.Unavailable:      http.StatusServiceUnavailable,
	fault.TooLarge:         http.StatusRequestEntityTooLarge,
	fault.MethodNotAllowed: http.StatusMethodNotAllowed,
}

// errorBody is Mosaic's error shape. Message is a string, or a list of strings when a
// validation found several problems, as Mosaic's validation errors are.
type errorBody struct {
	Message   any    `json:"message"`
	ErrorCode string `json:"error_code"`
	RequestID string `json:"request_id,omitempty"`
}

// writeError writes err as an API error and logs its cause. It is the only place that turns
// errors into responses for the /cis API.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	fe := fault.As(err)
	status := statusOf[fe.Kind]
	reqID := requestID(r.Context())
	logError(r, fe, status)
	if fe.RetryAfter > 0 {
		secs := int(fe.RetryAfter.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	var msg any = fe.Message
	if len(fe.Details) > 1 {
		msg = fe.Details
	}
	writeJSON(w, status, errorBody{Message: msg, ErrorCode: fe.Code, RequestID: reqID})
}

func logError(r *http.Request, fe *fault.Error, status int) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	// The request's logger already carries request_id (and trace_id): not again here.
	attrs := []any{"status", status, "code", fe.Code}
	if fe.Err != nil {
		attrs = append(attrs, "cause", fe.Err.Error())
	}
	loggerFrom(r.Context()).Log(r.Context(), level, "request failed", attrs...)
}

// oauthError is the RFC 6749 section 5.2 error body used by /oidc/token and its siblings.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeOAuthError writes err in RFC 6749's shape. A fault's Code is used as the OAuth error code
// when it is one; anything else becomes invalid_request or server_error.
func writeOAuthError(w http.ResponseWriter, r *http.Request, err error) {
	fe := fault.As(err)
	status := statusOf[fe.Kind]
	logError(r, fe, status)
	code := fe.Code
	switch {
	case fe.Kind == fault.Internal:
		code = "server_error"
	case !oauthCodes[code]:
		code = "invalid_request"
	}
	if code == "invalid_client" {
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="latchkey"`)
	} else if status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound {
		status = http.StatusBadRequest
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, oauthError{Error: code, Description: fe.Message})
}

var oauthCodes = map[string]bool{
	"invalid_request": true, "invalid_client": true, "invalid_grant": true,
	"unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true,
	"invalid_target": true, "unsupported_token_type": true, "server_error": true,
	"temporarily_unavailable": true,
}

// errNotFound answers unknown routes in the API's own shape.
var errNotFound = fault.New(fault.NotFound, fault.CodeNotFound, "no such endpoint")

var errAdminRequired = fault.New(fault.Forbidden, fault.CodeForbidden, "this endpoint requires a management application's token")
