package storagetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/storage"
)

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// wantNotFound checks that err wraps storage.ErrNotFound.
func wantNotFound(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("%s: got error %v, want one wrapping ErrNotFound", what, err)
	}
}

// wantDuplicate checks that err wraps storage.ErrAlreadyExists and is a *DuplicateError
// naming field.
func wantDuplicate(t *testing.T, err error, field, what string) {
	t.Helper()
	if !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("%s: got error %v, want one wrapping ErrAlreadyExists", what, err)
		return
	}
	var dup *storage.DuplicateError
	if !errors.As(err, &dup) {
		t.Errorf("%s: got error %v, want a *storage.DuplicateError with Field %q", what, err, field)
		return
	}
	if dup.Field != field {
		t.Errorf("%s: DuplicateError.Field = %q, want %q", what, dup.Field, field)
	}
}

// wantAlreadyExists checks that err wraps storage.ErrAlreadyExists and, when it is a
// *DuplicateError, that it names field. Updates use it: the contract asks for the field only
// where the backend knows it.
func wantAlreadyExists(t *testing.T, err error, field, what string) {
	t.Helper()
	if !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("%s: got error %v, want one wrapping ErrAlreadyExists", what, err)
		return
	}
	var dup *storage.DuplicateError
	if errors.As(err, &dup) && dup.Field != field {
		t.Errorf("%s: DuplicateError.Field = %q, want %q", what, dup.Field, field)
	}
}

// wantEqual compares two records field by field: times at millisecond precision (got's must
// be in UTC), JSON by meaning rather than by bytes, and empty slices equal to nil ones.
func wantEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	wantUTC(t, what, reflect.ValueOf(got), "")
	g, w := normalized(got), normalized(want)
	if reflect.DeepEqual(g, w) {
		return
	}
	gv, wv := reflect.ValueOf(g), reflect.ValueOf(w)
	if gv.Kind() != reflect.Struct {
		t.Errorf("%s:\n got  %+v\n want %+v", what, g, w)
		return
	}
	for i := range gv.NumField() {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Errorf("%s: %s = %s, want %s", what, gv.Type().Field(i).Name, show(gv.Field(i)), show(wv.Field(i)))
		}
	}
}

// wantList compares two lists element by element, in order.
func wantList[T any](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d records %v, want %d %v", what, len(got), idsOf(got), len(want), idsOf(want))
		return
	}
	for i := range got {
		wantEqual(t, fmt.Sprintf("%s[%d]", what, i), got[i], want[i])
	}
}

// wantIDs checks that list holds exactly the records with ids, in that order.
func wantIDs[T any](t *testing.T, what string, list []T, ids ...string) {
	t.Helper()
	if got := idsOf(list); !slices.Equal(got, ids) {
		t.Errorf("%s: got ids %v, want %v", what, got, ids)
	}
}

// idsOf returns the ID field of every record of list.
func idsOf[T any](list []T) []string {
	ids := make([]string, 0, len(list))
	for _, r := range list {
		ids = append(ids, idOf(r))
	}
	return ids
}

func idOf(r any) string {
	f := reflect.ValueOf(r).FieldByName("ID")
	if !f.IsValid() {
		return fmt.Sprint(r)
	}
	return f.String()
}

// sortedByID returns a copy of list ordered by ID, for lists whose order is unspecified.
func sortedByID[T any](list []T) []T {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b T) int { return strings.Compare(idOf(a), idOf(b)) })
	return out
}

// wantUTC reports the first non-zero time inside v whose location is not UTC.
func wantUTC(t *testing.T, what string, v reflect.Value, path string) bool {
	t.Helper()
	if v.Type() == timeType {
		tm := v.Interface().(time.Time)
		if !tm.IsZero() && tm.Location() != time.UTC {
			t.Errorf("%s: time %s%s is in %v, want UTC", what, path, tm, tm.Location())
			return false
		}
		return true
	}
	switch v.Kind() {
	case reflect.Pointer:
		return v.IsNil() || wantUTC(t, what, v.Elem(), path)
	case reflect.Slice:
		for i := range v.Len() {
			if !wantUTC(t, what, v.Index(i), fmt.Sprintf("%s[%d] ", path, i)) {
				return false
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && !wantUTC(t, what, v.Field(i), path+v.Type().Field(i).Name+" ") {
				return false
			}
		}
	}
	return true
}

// normalized returns a deep copy of v with times cut to milliseconds in UTC, JSON in a
// canonical form, and empty slices nil.
func normalized[T any](v T) T {
	return normalizeValue(reflect.ValueOf(v)).Interface().(T)
}

func normalizeValue(v reflect.Value) reflect.Value {
	switch v.Type() {
	case timeType:
		tm := v.Interface().(time.Time)
		if tm.IsZero() {
			return reflect.ValueOf(time.Time{})
		}
		return reflect.ValueOf(time.UnixMilli(tm.UnixMilli()).UTC())
	case rawType:
		return reflect.ValueOf(canonicalJSON(v.Bytes()))
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(normalizeValue(v.Elem()))
		return p
	case reflect.Slice:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(normalizeValue(v.Index(i)))
		}
		return s
	case reflect.Struct:
		s := reflect.New(v.Type()).Elem()
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				s.Field(i).Set(normalizeValue(v.Field(i)))
			}
		}
		return s
	}
	return v
}

// canonicalJSON re-encodes raw so that key order and spacing do not matter. An absent value,
// JSON null and an empty object are all "nothing" and come out nil: a backend may store
// either for an unset object.
func canonicalJSON(raw []byte) json.RawMessage {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return json.RawMessage(trimmed)
	}
	if m, ok := v.(map[string]any); v == nil || ok && len(m) == 0 {
		return nil
	}
	out, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(trimmed)
	}
	return out
}

// show formats one field for a failure message.
func show(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case *time.Time:
		if x == nil {
			return "nil"
		}
		return x.Format(time.RFC3339Nano)
	case json.RawMessage:
		return fmt.Sprintf("%q", string(x))
	case []byte:
		return fmt.Sprintf("%x", x)
	}
	return fmt.Sprintf("%+v", v.Interface())
}
