package httpapi

import (
	"context"
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

// Family is the Mosaic API a route belongs to. Mosaic's APIs write their errors in different
// shapes, and a client written for one expects that one, so each route names its family and
// writeError picks the shape from it. A route that names none is FamilyAuth.
type Family int

const (
	// FamilyAuth is the backend-authentication shape, every route's unless it says otherwise:
	// {message, error_code, request_id} with a string error_code such as "user_not_found", and
	// message a list of strings when a validation found several problems.
	FamilyAuth Family = iota
	// FamilyUsers is the Users API shape: error_code is the HTTP status as a number, message
	// is a list of strings on 400 and a string otherwise, and a 409 adds ts_error_code, the
	// string code that says which conflict it was.
	FamilyUsers
	// FamilyApplications is the Applications API (applications, clients, resources, login
	// preferences, signing keys). Mosaic's reference gives it the Users API's error schemas
	// (a numeric error_code, a list of messages on 400, ts_error_code on 409), so it is
	// written in the same shape; it is a family of its own so that the two can part.
	FamilyApplications
)

type familyKey struct{}

// withFamily returns r carrying its route's family, for writeError. The default family is
// not stored: it is what a request without one has.
func withFamily(r *http.Request, f Family) *http.Request {
	if f == FamilyAuth {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), familyKey{}, f))
}

func familyOf(r *http.Request) Family {
	f, _ := r.Context().Value(familyKey{}).(Family)
	return f
}

// errorBody is the backend-authentication error shape. Message is a string, or a list of
// strings when a validation found several problems, as Mosaic's validation errors are.
type errorBody struct {
	Message   any    `json:"message"`
	ErrorCode string `json:"error_code"`
	RequestID string `json:"request_id,omitempty"`
}

// usersErrorBody is the Users and Applications APIs' error shape (see FamilyUsers).
type usersErrorBody struct {
	Message     any    `json:"message"`
	ErrorCode   int    `json:"error_code"`
	TSErrorCode string `json:"ts_error_code,omitempty"`
	RequestID   string `json:"request_id,omitempty"`
}

// writeError writes err as an API error, in the shape of the request's route family, and logs
// its cause. It is the only place that turns errors into responses for the /cis API.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	fe := fault.As(err)
	status := statusOf[fe.Kind]
	reqID := requestID(r.Context())
	logError(r, fe, status)
	if fe.RetryAfter > 0 {
		secs := int(fe.RetryAfter.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	if f := familyOf(r); f == FamilyUsers || f == FamilyApplications {
		writeJSON(w, status, usersError(fe, status, reqID))
		return
	}
	var msg any = fe.Message
	if len(fe.Details) > 1 {
		msg = fe.Details
	}
	writeJSON(w, status, errorBody{Message: msg, ErrorCode: fe.Code, RequestID: reqID})
}

// usersError is fe in the Users and Applications APIs' shape.
func usersError(fe *fault.Error, status int, reqID string) usersErrorBody {
	out := usersErrorBody{Message: fe.Message, ErrorCode: status, RequestID: reqID}
	switch status {
	case http.StatusBadRequest:
		msgs := fe.Details
		if len(msgs) == 0 {
			msgs = []string{fe.Message}
		}
		out.Message = msgs
	case http.StatusConflict:
		out.TSErrorCode = fe.Code
	}
	return out
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
