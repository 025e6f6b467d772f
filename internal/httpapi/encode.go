package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
)

// maxBody is the largest request body accepted: 1 MiB, far above any legitimate request.
const maxBody = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"message":"internal error","error_code":"system_internal_error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// decodeJSON reads a JSON object from the request body into dst; it is the only way a handler
// reads a JSON body. Every failure is a 4xx fault that names the problem: a body too large, not
// JSON, not an object, a field of the wrong type, a string anywhere (object keys too) that is
// not text (see input.go), trailing data, or a body the route's published schema refuses: an
// unknown field among them (see bodyschema.go).
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	data, err := readBody(w, r)
	if err != nil {
		return err
	}
	return decodeJSONBytes(data, dst, requestFieldsOf(r.Context()))
}

// decodeJSONBytes is decodeJSON's parser, apart so that fuzz tests can drive it directly;
// fields is the operation's schema (nil: any fields).
func decodeJSONBytes(data []byte, dst any, fields *fieldSet) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return fault.New(fault.Invalid, fault.CodeInvalidInput, "request body is empty; a JSON object is required")
	}
	if data[0] != '{' {
		return fault.New(fault.Invalid, fault.CodeInvalidInput, "request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return fault.New(fault.Invalid, fault.CodeInvalidInput, "%s", describeJSONError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fault.New(fault.Invalid, fault.CodeInvalidInput, "request body has data after the JSON object")
	}
	// Checked on the raw tokens, unknown fields included: dst has seen only what it knows, and
	// Go's decoder has already replaced invalid UTF-8 in it.
	return checkJSONText(data, fields)
}

func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return fmt.Sprintf("%s must be %s, not %s", field, jsonTypeName(te.Type.Kind().String()), te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: unexpected end of input"
	default:
		msg := err.Error()
		if rest, ok := strings.CutPrefix(msg, "json: "); ok {
			return "invalid JSON: " + rest
		}
		return msg // a value's own check, such as client_attributes', names its field itself
	}
}

func jsonTypeName(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int64", "int32", "float64", "uint", "uint64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	default:
		return "of another type"
	}
}

// mapAll converts every element of a list for display; an empty list stays an empty JSON
// array, never null.
func mapAll[T, U any](list []T, conv func(T) U) []U {
	out := make([]U, 0, len(list))
	for _, v := range list {
		out = append(out, conv(v))
	}
	return out
}

// maxFirstClientBytes bounds first_client. Its fields other than role_ids are accepted and
// dropped, so without a bound of its own a caller could put up to the body limit of anything
// there and be answered as if it had been read.
const maxFirstClientBytes = 16 << 10

// UnmarshalJSON decodes an application's first_client (admin_apps_json.go) and refuses one
// larger than maxFirstClientBytes. It lives here, with the other decoding of request input.
func (f *firstClientJSON) UnmarshalJSON(data []byte) error {
	if len(data) > maxFirstClientBytes {
		return fmt.Errorf("first_client must be at most %d bytes of JSON", maxFirstClientBytes)
	}
	type plain firstClientJSON // without this method, so that decoding it does not recurse
	return json.Unmarshal(data, (*plain)(f))
}
