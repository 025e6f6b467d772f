package token

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Typed is implemented by claims whose JSON is fixed by their Go type: a struct of strings,
// numbers, booleans and slices of them, with no raw JSON and no map inside, so that
// json.Marshal of it is already one object with one value per key and valid UTF-8. Registered
// returns its tid and iss; a Typed claims value with both set to the signing tenant and this
// issuer is marshalled once.
type Typed interface {
	Registered() (tenantID, issuer string)
}

// fastPayload is payload without the second pass, for claims that need none: Typed claims,
// and maps whose values are plain (strings, numbers, booleans, nil, slices and maps of them)
// or raw JSON, each raw value normalised on its own. ok is false when the claims are of
// another shape, or leave tid or iss to be filled in: payload then takes the general way.
//
// The output of a map is what the general way gives: both sort the keys of every map, and a
// raw value decoded and encoded again is what it becomes inside the whole payload.
func (m *Manager) fastPayload(tenantID string, claims any) (raw []byte, ok bool, err error) {
	var tid, iss string
	obj, isMap := claims.(map[string]any)
	if isMap {
		tid, _ = obj["tid"].(string)
		iss, _ = obj["iss"].(string)
	} else if t, typed := claims.(Typed); typed {
		tid, iss = t.Registered()
	}
	if tid == "" || iss == "" {
		return nil, false, nil
	}
	if tid != tenantID {
		return nil, true, claimMismatch("tid", tid, tenantID)
	}
	if iss != m.issuer {
		return nil, true, claimMismatch("iss", iss, m.issuer)
	}
	v := claims
	if isMap {
		norm, plain, err := normalised(obj)
		if err != nil || !plain {
			return nil, false, nil
		}
		v = norm
	}
	raw, err = json.Marshal(v)
	return raw, err == nil, err
}

// normalised returns a copy of v with every raw JSON value inside it decoded (numbers as
// json.Number); plain is false when v holds a value of another type, which only the general
// way can normalise.
func normalised(v any) (out any, plain bool, err error) {
	switch x := v.(type) {
	case nil, bool, json.Number, int, int64, float64:
		return v, true, nil
	case string:
		// json.Marshal writes invalid UTF-8 as the escape \ufffd; decoding and encoding again
		// writes the character itself. Replacing it here gives the general way's bytes.
		return strings.ToValidUTF8(x, "\uFFFD"), true, nil
	case []string:
		for _, s := range x {
			if !utf8.ValidString(s) {
				out := make([]string, len(x))
				for i, s := range x {
					out[i] = strings.ToValidUTF8(s, "\uFFFD")
				}
				return out, true, nil
			}
		}
		return x, true, nil
	case json.RawMessage:
		dec := json.NewDecoder(bytes.NewReader(x))
		dec.UseNumber()
		var d any
		if err := dec.Decode(&d); err != nil {
			return nil, false, err
		}
		if dec.More() {
			return nil, false, nil
		}
		return d, true, nil
	case map[string]json.RawMessage:
		out := make(map[string]any, len(x))
		for k, r := range x {
			n, ok, err := normalised(r)
			if err != nil || !ok {
				return nil, ok, err
			}
			out[k] = n
		}
		return out, true, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, ok, err := normalised(e)
			if err != nil || !ok {
				return nil, ok, err
			}
			out[k] = n
		}
		return out, true, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			n, ok, err := normalised(e)
			if err != nil || !ok {
				return nil, ok, err
			}
			out[i] = n
		}
		return out, true, nil
	}
	return nil, false, nil
}
