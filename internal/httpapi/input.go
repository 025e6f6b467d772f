package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/fault"
)

// Every string that enters the API is text: valid UTF-8 without NUL. No identifier, name,
// code, password or user agent has anything else, and PostgreSQL refuses such text with an
// error, which would turn a hostile request into a 500 and roll back the write it was part of
// (a failed attempt's count among them). So it is refused here, at the edge, before any
// storage call, with a 400 that names the field:
//
//   - the path, its parameters, the query and every header, by checkRequestParams, which the
//     two route wrappers (wrap and handleOAuth) run before any handler, with the pattern's
//     parameter names found once at registration;
//   - JSON bodies, at any depth and in object keys too, by decodeJSON, the one JSON reader;
//   - form bodies, names and values, by readForm, the one form reader.
//
// TestHandlersReadInputThroughDecoders keeps handlers from reading a body any other way.

// textFault is the refusal of bad text in the named field.
func textFault(field string) *fault.Error {
	return fault.Validation(field + " must be valid UTF-8 text without NUL characters")
}

// badText reports text no field has: invalid UTF-8 or a NUL.
func badText(s string) bool { return !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 }

var wildcard = regexp.MustCompile(`\{(\w+)(?:\.\.\.)?\}`)

// pathParams returns the names of a route pattern's path parameters. The route wrappers call
// it once, when the route is registered, not on every request.
func pathParams(pattern string) []string {
	var names []string
	for _, m := range wildcard.FindAllStringSubmatch(pattern, -1) {
		names = append(names, m[1])
	}
	return names
}

// checkRequestText checks what every request has, whatever its route: the path parameters of
// pattern, the rest of the path, the query's names and values, and the headers' values.
func checkRequestText(r *http.Request, pattern string) error {
	return checkRequestParams(r, pathParams(pattern))
}

// checkRequestParams is checkRequestText with the pattern's parameter names already found.
func checkRequestParams(r *http.Request, params []string) error {
	for _, name := range params {
		if badText(r.PathValue(name)) {
			return textFault(name)
		}
	}
	if badText(r.URL.Path) {
		return textFault("path")
	}
	if err := checkValues(r.URL.Query(), "query parameter"); err != nil {
		return err
	}
	for _, name := range sortedKeys(r.Header) {
		for _, v := range r.Header[name] {
			if badText(v) {
				return textFault("header " + name)
			}
		}
	}
	return nil
}

// checkValues checks the names and values of a query or form; what names the kind of value.
func checkValues(vals url.Values, what string) error {
	for _, k := range sortedKeys(vals) {
		if badText(k) {
			return textFault("a " + what + " name")
		}
		for _, v := range vals[k] {
			if badText(v) {
				return textFault(what + " " + k)
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonFrame is one open object or array while checkJSONText walks a body.
type jsonFrame struct {
	object    bool
	expectKey bool
	key       string // the current member's name, in an object
	index     int    // the current element's index, in an array
	// fields is what the operation's schema lets this object or array hold (nil: anything);
	// member is what it lets the current member's value hold.
	fields, member *fieldSet
}

// checkJSONText walks a JSON document token by token and refuses the first string, value or
// object key, that is not text. Go's decoder would quietly turn invalid UTF-8 and lone
// surrogate escapes into U+FFFD, so a string decoded with one is checked again in its raw
// form. It runs on documents the typed decoding accepted; one it cannot walk to the end is
// refused rather than passed unchecked. In the same walk it collects the fields that fields,
// the operation's schema (nil: none), does not name, and refuses the body for them once the
// text has passed (see input_fields.go).
func checkJSONText(data []byte, fields *fieldSet) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // a number too large for a float64 must not end the walk early
	var stack []*jsonFrame
	var unknown []string
	// open is the field set of a value that opens an object or array.
	open := func() *fieldSet {
		if len(stack) == 0 {
			return fields
		}
		top := stack[len(stack)-1]
		if top.object {
			return top.member
		}
		return top.fields.elements()
	}
	advance := func() {
		if len(stack) == 0 {
			return
		}
		top := stack[len(stack)-1]
		if top.object {
			top.expectKey = true
		} else {
			top.index++
		}
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return unknownFields(unknown)
		}
		if err != nil {
			return fault.New(fault.Invalid, fault.CodeInvalidInput, "malformed JSON")
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, &jsonFrame{object: true, expectKey: true, fields: open()})
			case '[':
				stack = append(stack, &jsonFrame{fields: open()})
			default:
				stack = stack[:len(stack)-1]
				advance()
			}
		case string:
			isKey := len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].expectKey
			if !isText(v, data[start:dec.InputOffset()]) {
				if isKey {
					return textFault("a field name in " + jsonPath(stack))
				}
				return textFault(jsonPath(stack))
			}
			if isKey {
				top := stack[len(stack)-1]
				member, ok := top.fields.member(v)
				if !ok {
					unknown = append(unknown, joinPlace(jsonPath(stack), v))
				}
				top.key, top.expectKey, top.member = v, false, member
			} else {
				advance()
			}
		default:
			advance()
		}
	}
}

// jsonPath names the place of the current value, as client_attributes.user_agent or
// secondary_emails[1]; the body itself is "body".
func jsonPath(stack []*jsonFrame) string {
	var b strings.Builder
	for _, f := range stack {
		switch {
		case f.object && f.expectKey:
			// a key is being read: the path ends at the object
		case f.object:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		default:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

// isText reports whether a decoded JSON string, whose raw form is in raw (with what preceded
// it since the last token), is text.
func isText(decoded string, raw []byte) bool {
	if strings.IndexByte(decoded, 0) >= 0 {
		return false
	}
	if !strings.ContainsRune(decoded, utf8.RuneError) {
		return true
	}
	return utf8.Valid(raw) && !loneSurrogate(raw)
}

// loneSurrogate reports a \u escape of a UTF-16 surrogate that is not half of a pair.
func loneSurrogate(raw []byte) bool {
	hex := func(i int) (rune, bool) {
		if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		r, ok := hex(i)
		if !ok {
			i++ // an escape of one character, such as \\ or \"
			continue
		}
		switch {
		case r >= 0xD800 && r < 0xDC00:
			lo, ok := hex(i + 6)
			if !ok || lo < 0xDC00 || lo >= 0xE000 {
				return true
			}
			i += 11
		case r >= 0xDC00 && r < 0xE000:
			return true
		default:
			i += 5
		}
	}
	return false
}

// readBody reads a request body of at most maxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	data, err := io.ReadAll(r.Body)
	if err != nil {
		if isMaxBytes(err) {
			return nil, fault.New(fault.TooLarge, fault.CodeBodyTooLarge, "request body is larger than %d bytes", maxBody)
		}
		return nil, fault.New(fault.Invalid, fault.CodeInvalidInput, "could not read request body")
	}
	return data, nil
}

// isMaxBytes reports whether err came from a body larger than the limit.
func isMaxBytes(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

var errUpload = fault.New(fault.Invalid, fault.CodeInvalidInput,
	"the body must be a multipart/form-data upload holding one file part")

// readUploadedFile reads the one file part of a multipart/form-data body of at most maxBody
// bytes, and at most maxFile bytes of the file: one byte more tells a file over the limit
// from one at it, for the caller to refuse. Form fields without a file name are skipped.
func readUploadedFile(w http.ResponseWriter, r *http.Request, maxBody, maxFile int64) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, errUpload
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	mr := multipart.NewReader(r.Body, params["boundary"])
	var data []byte
	files := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, uploadErr(err, maxBody)
		}
		if part.FileName() == "" {
			continue
		}
		if files++; files > 1 {
			return nil, errUpload
		}
		if data, err = io.ReadAll(io.LimitReader(part, maxFile+1)); err != nil {
			return nil, uploadErr(err, maxBody)
		}
	}
	if files == 0 {
		return nil, errUpload
	}
	return data, nil
}

func uploadErr(err error, maxBody int64) error {
	if isMaxBytes(err) {
		return fault.New(fault.TooLarge, fault.CodeBodyTooLarge, "request body is larger than %d bytes", maxBody)
	}
	return errUpload.With(err)
}
