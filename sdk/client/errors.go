package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is an error answer of the API. Latchkey writes errors in three shapes (the backend
// authentication API's, the Users API's and OAuth's at /oidc/token); Error holds any of them.
type Error struct {
	// Status is the HTTP status.
	Status int
	// Code is the API's error code: the string error_code of the backend authentication and
	// administration APIs (such as "auth_invalid_credentials"), the ts_error_code of a Users
	// API conflict (such as "user_already_exists"), or the OAuth error (such as
	// "invalid_client"). It is empty when the answer named none, as the Users API's other
	// errors do: they carry only NumericCode.
	Code string
	// NumericCode is the Users API's numeric error_code (the HTTP status), 0 otherwise.
	NumericCode int
	// Messages are the problems the server described; a validation error lists each.
	Messages []string
	// RequestID names the request in the server's logs.
	RequestID string
	// RetryAfter is how long the server asked the caller to wait (locks, rate limits, a busy
	// server), 0 when it did not say.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	code := e.Code
	if code == "" && e.NumericCode != 0 {
		code = strconv.Itoa(e.NumericCode)
	}
	msg := strings.Join(e.Messages, "; ")
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("latchkey: %d %s: %s", e.Status, code, msg)
}

// HasCode reports whether err is an *Error with the given code.
func HasCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// wireError is every member of the three shapes.
type wireError struct {
	Message     json.RawMessage `json:"message"`
	ErrorCode   json.RawMessage `json:"error_code"`
	TSErrorCode string          `json:"ts_error_code"`
	RequestID   string          `json:"request_id"`
	OAuthError  string          `json:"error"`
	Description string          `json:"error_description"`
}

func decodeError(res *http.Response, data []byte) *Error {
	e := &Error{Status: res.StatusCode}
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	var w wireError
	if json.Unmarshal(data, &w) != nil {
		// Not one of the API's answers (a proxy's error page): keep its start for the message.
		if text := strings.TrimSpace(string(data)); text != "" {
			e.Messages = []string{clip(text, 200)}
		}
		return e
	}
	e.RequestID = w.RequestID
	var code string
	var num int
	switch {
	case json.Unmarshal(w.ErrorCode, &code) == nil:
		e.Code = code
	case json.Unmarshal(w.ErrorCode, &num) == nil:
		e.NumericCode, e.Code = num, w.TSErrorCode
	case w.OAuthError != "":
		e.Code = w.OAuthError
	}
	var one string
	var many []string
	switch {
	case json.Unmarshal(w.Message, &one) == nil && one != "":
		e.Messages = []string{one}
	case json.Unmarshal(w.Message, &many) == nil:
		e.Messages = many
	case w.Description != "":
		e.Messages = []string{w.Description}
	}
	return e
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
