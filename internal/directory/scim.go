package directory

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// Bounds of a search expression: longer or larger ones are refused rather than run.
const (
	maxFilterLen   = 4096
	maxFilterTerms = 50
	maxFilterDepth = 10
)

// filterAttrs are the attributes a search may name (Mosaic's searchable fields, with
// user_id, username and name.title besides), each with how its value is read.
var filterAttrs = map[string]valueType{
	model.UserAttrID:                {},
	model.UserAttrEmail:             {lower: true},
	model.UserAttrPhone:             {},
	model.UserAttrUsername:          {lower: true},
	model.UserAttrExternalUserID:    {},
	model.UserAttrStatus:            {status: true},
	model.UserAttrCreatedAt:         {time: true},
	model.UserAttrUpdatedAt:         {time: true},
	model.UserAttrLastAuth:          {time: true},
	model.UserAttrBirthday:          {date: true},
	model.UserAttrNameTitle:         {},
	model.UserAttrFirstName:         {},
	model.UserAttrMiddleName:        {},
	model.UserAttrLastName:          {},
	model.UserAttrSecondaryEmails:   {lower: true},
	model.UserAttrSecondaryPhones:   {},
	model.UserAttrExternalAccountID: {},
	model.UserAttrCustomData:        {custom: true},
	model.UserAttrCustomAppData:     {custom: true},
}

// valueType is how a search reads the value an attribute is compared with. The zero value is
// text, compared as given.
type valueType struct {
	lower  bool // text stored lower-cased (emails, usernames): the value is lower-cased too
	status bool // one of the statuses
	time   bool // epoch milliseconds, or an ISO 8601 date or date-time
	date   bool // a date, YYYY-MM-DD, or a date-time whose date is taken
	custom bool // a member of a JSON object: text, a number, true or false
}

var filterOps = map[string]bool{
	model.FilterEqual: true, model.FilterNotEqual: true, model.FilterGreater: true, model.FilterGreaterEq: true,
	model.FilterLess: true, model.FilterLessEq: true, model.FilterStartsWith: true, model.FilterPresent: true,
}

var customKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ParseFilter reads a search expression in the SCIM filter syntax Mosaic's users API takes
// (RFC 7644 section 3.4.2.2): comparisons `attribute op value` with the operators eq, ne, gt,
// ge, lt, le and sw, `attribute pr`, joined by and and or (and binding tighter) and grouped
// with parentheses. Values are JSON strings, numbers, true or false. Every problem is an
// Invalid fault naming it.
func ParseFilter(expr string) (model.UserFilter, error) {
	if len(expr) > maxFilterLen {
		return model.UserFilter{}, searchProblem("is longer than %d characters", maxFilterLen)
	}
	toks, err := scanFilter(expr)
	if err != nil {
		return model.UserFilter{}, err
	}
	p := &filterParser{toks: toks}
	f, err := p.or(0)
	if err != nil {
		return model.UserFilter{}, err
	}
	if p.pos < len(p.toks) {
		return model.UserFilter{}, searchProblem("unexpected %s", p.toks[p.pos])
	}
	return f, nil
}

func searchProblem(format string, args ...any) error {
	return fault.Validation("search: " + fmt.Sprintf(format, args...) +
		`; expressions look like name.first_name eq "Ada" and (status eq "Active" or last_auth pr)`)
}

// token is one lexeme of a filter: a word (attribute, operator, number, true, false, null, and,
// or), a parenthesis, or a JSON string (quoted set, text holding the decoded value).
type token struct {
	text   string
	quoted bool
}

func (t token) String() string { return strconv.Quote(clip(t.text)) }

func scanFilter(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, token{text: s[i : i+1]})
			i++
		case c == '"':
			end, err := stringEnd(s, i)
			if err != nil {
				return nil, err
			}
			var v string
			if json.Unmarshal([]byte(s[i:end]), &v) != nil {
				return nil, searchProblem("the string at character %d is not a valid JSON string", i+1)
			}
			toks = append(toks, token{text: v, quoted: true})
			i = end
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()\"", rune(s[j])) {
				j++
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		}
		// A comparison with its parentheses and joining word is at most six tokens.
		if len(toks) > 6*maxFilterTerms {
			return nil, searchProblem("has more than %d comparisons", maxFilterTerms)
		}
	}
	if len(toks) == 0 {
		return nil, searchProblem("is empty")
	}
	return toks, nil
}

// stringEnd returns the index just past the JSON string starting at s[start].
func stringEnd(s string, start int) (int, error) {
	for i := start + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, searchProblem("a string is not closed")
}

type filterParser struct {
	toks  []token
	pos   int
	terms int
}

func (p *filterParser) peekWord(word string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && strings.EqualFold(p.toks[p.pos].text, word)
}

// or reads terms joined by or.
func (p *filterParser) or(depth int) (model.UserFilter, error) {
	return p.joined(depth, model.FilterOr, p.and)
}

// and reads factors joined by and.
func (p *filterParser) and(depth int) (model.UserFilter, error) {
	return p.joined(depth, model.FilterAnd, p.factor)
}

func (p *filterParser) joined(depth int, op string, next func(int) (model.UserFilter, error)) (model.UserFilter, error) {
	first, err := next(depth)
	if err != nil {
		return first, err
	}
	terms := []model.UserFilter{first}
	for p.peekWord(op) {
		p.pos++
		t, err := next(depth)
		if err != nil {
			return t, err
		}
		terms = append(terms, t)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return model.UserFilter{Op: op, Terms: terms}, nil
}

// factor reads a parenthesised expression or one comparison.
func (p *filterParser) factor(depth int) (model.UserFilter, error) {
	if p.pos >= len(p.toks) {
		return model.UserFilter{}, searchProblem("ends where a comparison should follow")
	}
	if t := p.toks[p.pos]; !t.quoted && t.text == "(" {
		if depth >= maxFilterDepth {
			return model.UserFilter{}, searchProblem("nests parentheses more than %d deep", maxFilterDepth)
		}
		p.pos++
		f, err := p.or(depth + 1)
		if err != nil {
			return f, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].quoted || p.toks[p.pos].text != ")" {
			return f, searchProblem("a parenthesis is not closed")
		}
		p.pos++
		return f, nil
	}
	return p.comparison()
}

// comparison reads `attribute pr` or `attribute op value`.
func (p *filterParser) comparison() (model.UserFilter, error) {
	if p.terms++; p.terms > maxFilterTerms {
		return model.UserFilter{}, searchProblem("has more than %d comparisons", maxFilterTerms)
	}
	attr := p.toks[p.pos]
	if attr.quoted || attr.text == ")" {
		return model.UserFilter{}, searchProblem("expected an attribute, found %s", attr)
	}
	p.pos++
	f, vt, err := filterAttr(attr.text)
	if err != nil {
		return f, err
	}
	if p.pos >= len(p.toks) || p.toks[p.pos].quoted {
		return f, searchProblem("expected an operator after %s", attr)
	}
	f.Op = strings.ToLower(p.toks[p.pos].text)
	p.pos++
	if !filterOps[f.Op] {
		return f, searchProblem("%q is not an operator; use eq, ne, gt, ge, lt, le, sw or pr", clip(f.Op))
	}
	if f.Op == model.FilterPresent {
		return f, nil
	}
	if p.pos >= len(p.toks) {
		return f, searchProblem("expected a value after %s %s", attr, f.Op)
	}
	v := p.toks[p.pos]
	p.pos++
	f.Value, err = vt.read(f, v)
	return f, err
}

// filterAttr returns the filter naming the attribute path a (names are not case-sensitive,
// custom data keys are) and how its values are read.
func filterAttr(a string) (model.UserFilter, valueType, error) {
	name, rest, _ := strings.Cut(a, ".")
	name = strings.ToLower(name)
	if vt, ok := filterAttrs[name]; ok && vt.custom {
		path := strings.Split(rest, ".")
		for _, k := range path {
			if !customKey.MatchString(k) {
				return model.UserFilter{}, vt, searchProblem("%s needs a key path such as %s.plan, of keys made of letters, digits, _ and -", name, name)
			}
		}
		if len(path) > 8 {
			return model.UserFilter{}, vt, searchProblem("%s: a key path may have at most 8 keys", name)
		}
		return model.UserFilter{Attr: name, Path: path}, vt, nil
	}
	full := strings.ToLower(a)
	vt, ok := filterAttrs[full]
	if !ok {
		return model.UserFilter{}, vt, searchProblem("%q is not a searchable attribute", clip(a))
	}
	return model.UserFilter{Attr: full}, vt, nil
}

// read converts the value token v for the comparison f of an attribute read as vt.
func (vt valueType) read(f model.UserFilter, v token) (any, error) {
	if vt.custom {
		return customValue(f, v)
	}
	if !v.quoted {
		if n, err := strconv.ParseInt(v.text, 10, 64); err == nil && vt.time {
			return n, nil
		}
		return nil, searchProblem("the value of %s must be a quoted string, not %s", f.Attr, v)
	}
	s := strings.TrimSpace(v.text)
	if f.Op == model.FilterStartsWith && (vt.time || vt.date) {
		return nil, searchProblem("sw compares text; %s is a date", f.Attr)
	}
	switch {
	case vt.lower:
		return strings.ToLower(s), nil
	case vt.status && f.Op != model.FilterStartsWith:
		for _, st := range []string{model.UserActive, model.UserDisabled, model.UserPending} {
			if strings.EqualFold(s, st) {
				return st, nil
			}
		}
		return nil, searchProblem("status is one of Active, Disabled, Pending")
	case vt.time:
		t, ok := parseInstant(s)
		if !ok {
			return nil, searchProblem("%s takes epoch milliseconds or an ISO 8601 date such as 2024-05-17 or 2024-05-17T09:30:00Z", f.Attr)
		}
		return t.UnixMilli(), nil
	case vt.date:
		d, ok := parseDate(s)
		if !ok {
			return nil, searchProblem("birthday takes a date such as 1990-05-17")
		}
		return d, nil
	}
	return s, nil
}

// customValue reads the value compared with a member of custom data: a string, a number, true
// or false.
func customValue(f model.UserFilter, v token) (any, error) {
	if v.quoted {
		return v.text, nil
	}
	switch strings.ToLower(v.text) {
	case "true", "false":
		if f.Op != model.FilterEqual && f.Op != model.FilterNotEqual {
			return nil, searchProblem("true and false compare only with eq and ne")
		}
		return strings.EqualFold(v.text, "true"), nil
	}
	if f.Op == model.FilterStartsWith {
		return nil, searchProblem("sw compares text; quote the value")
	}
	n, err := strconv.ParseFloat(v.text, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return nil, searchProblem("%s is neither a quoted string, a number, true nor false", v)
	}
	if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
		return int64(n), nil
	}
	return n, nil
}

// parseInstant reads an instant as ISO 8601: a date (midnight UTC), or a date and time with or
// without fractions and zone (UTC when none is given).
func parseInstant(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseDate reads a calendar date: YYYY-MM-DD, or an ISO 8601 date-time, whose date as written
// is taken.
func parseDate(s string) (string, bool) {
	if t, ok := parseInstant(s); ok {
		return t.Format(time.DateOnly), true
	}
	return "", false
}
