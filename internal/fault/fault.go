package fault

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error; the HTTP layer owns the Kind → status table.
type Kind int

// Kinds of error.
const (
	Internal         Kind = iota // a bug or an outage; the caller sees a generic message
	Invalid                      // the request is malformed or fails validation
	Unauthenticated              // missing or bad credentials
	Forbidden                    // authenticated, but not allowed
	NotFound                     // the thing named does not exist (for this caller)
	Conflict                     // a unique identifier is taken, or the state forbids it
	Locked                       // too many failures; wait for the lockout to end
	RateLimited                  // too many requests; RetryAfter says when to try again
	Unavailable                  // a dependency is down; try again later
	TooLarge                     // the request body is too large
	MethodNotAllowed             // the path exists, but not for this method
)

var kindNames = map[Kind]string{
	Internal: "internal", Invalid: "invalid", Unauthenticated: "unauthenticated",
	Forbidden: "forbidden", NotFound: "not_found", Conflict: "conflict", Locked: "locked",
	RateLimited: "rate_limited", Unavailable: "unavailable", TooLarge: "too_large",
	MethodNotAllowed: "method_not_allowed",
}

func (k Kind) String() string { return kindNames[k] }

// Error is an error that is safe to show to API callers. Message and Details are public; Err
// is the cause, for logs only.
type Error struct {
	Kind       Kind
	Code       string   // stable machine-readable code, e.g. "user_not_found"
	Message    string   // human-readable, public
	Details    []string // every validation problem, when there are several
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	msg := e.Code + ": " + e.Message
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind, code and public message.
func New(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Internal error whose cause is err; callers see only a generic message.
func Wrap(err error, context string) *Error {
	return &Error{Kind: Internal, Code: "system_internal_error", Message: "internal error", Err: fmt.Errorf("%s: %w", context, err)}
}

// Validation returns an Invalid error listing every problem found.
func Validation(problems ...string) *Error {
	msg := "invalid input"
	if len(problems) == 1 {
		msg = problems[0]
	}
	return &Error{Kind: Invalid, Code: CodeInvalidInput, Message: msg, Details: problems}
}

// With returns a copy of e with the cause set, for logging.
func (e *Error) With(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// As returns err as an *Error, turning anything else into an Internal error.
func As(err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return Wrap(err, "unexpected")
}

// Is reports whether err is a fault of kind k.
func Is(err error, k Kind) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Kind == k
}

// Stable error codes shared across packages. Mosaic's codes are used where Mosaic has one.
const (
	CodeInvalidInput       = "system_invalid_input"
	CodeUnauthorized       = "unauthorized"
	CodeForbidden          = "forbidden"
	CodeNotFound           = "not_found"
	CodeUserNotFound       = "user_not_found"
	CodeUserNotActive      = "user_not_active"
	CodeUserExists         = "user_already_exists"
	CodeAppNotFound        = "app_not_found"
	CodeClientNotFound     = "client_not_found"
	CodeResourceNotFound   = "resource_not_found"
	CodeSessionNotFound    = "session_not_found"
	CodeInvalidCredentials = "auth_invalid_credentials"
	CodeOTPExpired         = "auth_otp_passcode_expired"
	CodeLocked             = "auth_locked"
	CodeEmailMissing       = "user_email_address_missing"
	CodePhoneMissing       = "user_phone_number_missing"
	CodeRateLimited        = "too_many_requests"
	CodeBodyTooLarge       = "request_too_large"
	CodeUnsupportedChannel = "unsupported_channel"
	CodeProviderConfig     = "external_provider_configuration_error"
	CodeConflict           = "conflict"
)
