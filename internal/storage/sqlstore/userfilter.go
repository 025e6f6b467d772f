package sqlstore

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/model"
)

// filterBuilder compiles a model.UserFilter into a condition on the row u of users, the same
// on SQLite and PostgreSQL. A comparison with a missing value is not true: in a WHERE clause
// NULL is as good as FALSE, so comparisons are written plainly (and can use the indexes),
// except under the NOT of ne, where they are made FALSE rather than NULL so that the NOT of one
// is its negation. Arguments are appended in the order their placeholders appear; no caller
// input is written into the SQL text but JSON keys, which are checked against filterKey first.
type filterBuilder struct {
	d *dialect
	// appID is the caller's application, whose link holds the application-level attributes;
	// empty means any of the user's links.
	appID string
	args  []any
	// negated is set while the operand of a NOT is written.
	negated bool
}

// maxFilterDepth bounds the nesting of and/or terms.
const maxFilterDepth = 16

// filterKey is what a key of a custom data path may be made of.
var filterKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// valueKind is how a compared expression's values are typed.
type valueKind int

const (
	kindText   valueKind = iota // compared exactly
	kindFolded                  // text compared without regard to ASCII case
	kindNumber
)

// userColumns are the attributes stored in a column of users, with the kind of their values.
var userColumns = map[string]struct {
	expr string
	kind valueKind
}{
	model.UserAttrID:             {"u.id", kindText},
	model.UserAttrEmail:          {"u.email", kindText},
	model.UserAttrPhone:          {"u.phone_number", kindText},
	model.UserAttrUsername:       {"u.username", kindText},
	model.UserAttrExternalUserID: {"u.external_user_id", kindText},
	model.UserAttrStatus:         {"u.status", kindText},
	model.UserAttrBirthday:       {"NULLIF(u.birthday, '')", kindText},
	model.UserAttrCreatedAt:      {"u.created_at", kindNumber},
	model.UserAttrUpdatedAt:      {"u.updated_at", kindNumber},
	model.UserAttrLastAuth:       {"u.last_auth_at", kindNumber},
}

// nameKeys are the members of the name column the name.* attributes compare.
var nameKeys = map[string]string{
	model.UserAttrNameTitle: "title", model.UserAttrFirstName: "first_name",
	model.UserAttrMiddleName: "middle_name", model.UserAttrLastName: "last_name",
}

var comparisons = map[string]string{
	model.FilterEqual: "=", model.FilterGreater: ">", model.FilterGreaterEq: ">=",
	model.FilterLess: "<", model.FilterLessEq: "<=",
}

func (b *filterBuilder) cond(f model.UserFilter, depth int) (string, error) {
	if depth > maxFilterDepth {
		return "", errors.New("the filter nests too deeply")
	}
	switch f.Op {
	case model.FilterAnd, model.FilterOr:
		if len(f.Terms) == 0 {
			return "", fmt.Errorf("an %s filter without terms", f.Op)
		}
		parts := make([]string, len(f.Terms))
		for i, t := range f.Terms {
			c, err := b.cond(t, depth+1)
			if err != nil {
				return "", err
			}
			parts[i] = c
		}
		return "(" + strings.Join(parts, " "+strings.ToUpper(f.Op)+" ") + ")", nil
	case model.FilterNotEqual:
		eq := f
		eq.Op = model.FilterEqual
		b.negated = true
		c, err := b.cond(eq, depth)
		b.negated = false
		return "(NOT " + c + ")", err
	}
	if col, ok := userColumns[f.Attr]; ok {
		return b.scalar(col.expr, col.kind, f)
	}
	if key, ok := nameKeys[f.Attr]; ok {
		return b.scalar(b.d.jsonMember("u.name", key), kindFolded, f)
	}
	switch f.Attr {
	case model.UserAttrSecondaryEmails:
		return b.anyElement("u.secondary_emails", f)
	case model.UserAttrSecondaryPhones:
		return b.anyElement("u.secondary_phones", f)
	case model.UserAttrCustomData:
		return b.jsonPath("u.custom_data", f)
	case model.UserAttrExternalAccountID:
		return b.onLink(func() (string, error) { return b.scalar("au.external_account_id", kindText, f) })
	case model.UserAttrCustomAppData:
		return b.onLink(func() (string, error) { return b.jsonPath("au.custom_app_data", f) })
	}
	return "", fmt.Errorf("unknown attribute %q", f.Attr)
}

// scalar compares expr, whose values are of kind k, as f says.
func (b *filterBuilder) scalar(expr string, k valueKind, f model.UserFilter) (string, error) {
	if f.Op == model.FilterPresent {
		if k == kindNumber {
			return "(" + expr + " IS NOT NULL)", nil
		}
		return "(" + expr + " IS NOT NULL AND " + expr + " <> '')", nil
	}
	switch v := f.Value.(type) {
	case string:
		if k == kindNumber {
			return "", fmt.Errorf("%s compares numbers, not text", f.Attr)
		}
		if f.Op == model.FilterStartsWith {
			return b.startsWith(expr, v, k == kindFolded), nil
		}
	case int64, float64:
		if k != kindNumber {
			return "", fmt.Errorf("%s compares text, not numbers", f.Attr)
		}
	default:
		return "", fmt.Errorf("%s cannot be compared with %T", f.Attr, f.Value)
	}
	op, ok := comparisons[f.Op]
	if !ok {
		return "", fmt.Errorf("operator %q does not apply to %s", f.Op, f.Attr)
	}
	b.args = append(b.args, f.Value)
	if k == kindFolded {
		return b.total("lower(" + expr + ") " + op + " lower(CAST(? AS TEXT))"), nil
	}
	return b.total(expr + " " + op + " ?"), nil
}

// total returns the comparison c as it must be written where it is: made FALSE instead of
// NULL under a NOT, as it is elsewhere.
func (b *filterBuilder) total(c string) string {
	if b.negated {
		return "COALESCE(" + c + ", FALSE)"
	}
	return "(" + c + ")"
}

// startsWith is the condition that the text expr begins with prefix. It compares the
// leading characters rather than using LIKE, whose case rules differ between the two
// databases. Without folding it is a range, prefix <= expr < the next prefix, in the order of
// bytes (which UTF-8 makes the order of code points), so that an index on expr serves it.
func (b *filterBuilder) startsWith(expr, prefix string, fold bool) string {
	n := strconv.Itoa(utf8.RuneCountInString(prefix))
	if fold {
		b.args = append(b.args, prefix)
		return b.total("lower(substr(" + expr + ", 1, " + n + ")) = lower(CAST(? AS TEXT))")
	}
	c := b.d.byteOrder(expr)
	if upper, ok := nextPrefix(prefix); ok {
		b.args = append(b.args, prefix, upper)
		return b.total(c + " >= ? AND " + c + " < ?")
	}
	b.args = append(b.args, prefix, prefix)
	return b.total(c + " >= ? AND substr(" + expr + ", 1, " + n + ") = ?")
}

// nextPrefix returns the least string greater than every string that begins with p: p with
// its last character raised by one, dropping trailing characters that cannot be raised.
// It is false when there is none (p empty, or made only of the highest character).
func nextPrefix(p string) (string, bool) {
	runes := []rune(p)
	for i := len(runes) - 1; i >= 0; i-- {
		r := runes[i] + 1
		if r == 0xD800 { // the surrogates are not characters
			r = 0xE000
		}
		if r <= utf8.MaxRune {
			runes[i] = r
			return string(runes[:i+1]), true
		}
	}
	return "", false
}

// anyElement is the condition that some element of the JSON array of strings in col meets f.
func (b *filterBuilder) anyElement(col string, f model.UserFilter) (string, error) {
	inner, err := b.scalar("je.value", kindText, f)
	if err != nil {
		return "", err
	}
	return "EXISTS (SELECT 1 FROM " + b.d.jsonStrings(col) + " WHERE " + inner + ")", nil
}

// onLink is the condition that the user's link to the caller's application (to any
// application, for a tenant-wide caller) meets the condition inner writes on au.
func (b *filterBuilder) onLink(inner func() (string, error)) (string, error) {
	sql := "EXISTS (SELECT 1 FROM app_users au WHERE au.tenant_id = u.tenant_id AND au.user_id = u.id"
	if b.appID != "" {
		sql += " AND au.app_id = ?"
		b.args = append(b.args, b.appID)
	}
	c, err := inner()
	if err != nil {
		return "", err
	}
	return sql + " AND " + c + ")", nil
}

// jsonPath compares the member f.Path of the JSON object in col. The member is compared only
// with a value of its own JSON type: a string with text, a number with a number, true or false
// with a boolean.
func (b *filterBuilder) jsonPath(col string, f model.UserFilter) (string, error) {
	if len(f.Path) == 0 || len(f.Path) > 8 {
		return "", fmt.Errorf("%s needs a path of 1 to 8 keys", f.Attr)
	}
	for _, k := range f.Path {
		if !filterKey.MatchString(k) {
			return "", fmt.Errorf("%s: key %q may hold only letters, digits, _ and -", f.Attr, k)
		}
	}
	m := b.d.jsonPathOf(col, f.Path)
	switch v := f.Value.(type) {
	case nil:
		if f.Op != model.FilterPresent {
			return "", fmt.Errorf("%s: operator %q needs a value", f.Attr, f.Op)
		}
		return "(COALESCE(" + m.typ + " <> 'null', FALSE) AND COALESCE(" + m.text + " <> '', TRUE))", nil
	case string:
		return b.scalar(m.text, kindText, f)
	case int64, float64:
		return b.scalar(m.number, kindNumber, f)
	case bool:
		if f.Op != model.FilterEqual {
			return "", fmt.Errorf("%s: true and false compare only with eq and ne", f.Attr)
		}
		b.args = append(b.args, boolInt(v))
		return b.total(m.boolean + " = ?"), nil
	}
	return "", fmt.Errorf("%s cannot be compared with %T", f.Attr, f.Value)
}

// byteOrder is the text expr compared in the order of its bytes: SQLite's own order, and
// PostgreSQL's "C" collation (the indexes of migration 20 are in it).
func (d *dialect) byteOrder(expr string) string {
	if d.postgres {
		return expr + ` COLLATE "C"`
	}
	return expr
}

// jsonMember is the text of the top-level member key of the JSON object in col, NULL when it
// is missing; key is a constant of the store's, never caller input.
func (d *dialect) jsonMember(col, key string) string {
	if d.postgres {
		return "(" + col + "::jsonb ->> '" + key + "')"
	}
	return "json_extract(" + col + ", '$." + key + "')"
}

// jsonStrings is a FROM item that yields, as je.value, each string of the JSON array in col
// (nothing when col holds no array).
func (d *dialect) jsonStrings(col string) string {
	if d.postgres {
		return "jsonb_array_elements_text(CASE WHEN jsonb_typeof(" + col + "::jsonb) = 'array' THEN " + col +
			"::jsonb ELSE '[]'::jsonb END) AS je(value)"
	}
	return "json_each(CASE WHEN json_type(" + col + ") = 'array' THEN " + col + " ELSE '[]' END) AS je"
}

// jsonValue holds the expressions reading one member of a JSON object: its JSON type, and
// its value as text, number or boolean (1 or 0), each NULL when the member is of another type.
type jsonValue struct{ typ, text, number, boolean string }

// jsonPathOf reads the member at path of the JSON object in col; the keys match filterKey.
func (d *dialect) jsonPathOf(col string, path []string) jsonValue {
	if d.postgres {
		node := "(" + col + "::jsonb #> '{" + strings.Join(path, ",") + "}')"
		text := "(" + col + "::jsonb #>> '{" + strings.Join(path, ",") + "}')"
		typ := "jsonb_typeof(" + node + ")"
		return jsonValue{
			typ:     typ,
			text:    "CASE WHEN " + typ + " = 'string' THEN " + text + " END",
			number:  "CASE WHEN " + typ + " = 'number' THEN " + text + "::numeric END",
			boolean: "CASE WHEN " + typ + " = 'boolean' THEN CASE WHEN " + text + " = 'true' THEN 1 ELSE 0 END END",
		}
	}
	p := `'$."` + strings.Join(path, `"."`) + `"'`
	typ := "json_type(" + col + ", " + p + ")"
	value := "json_extract(" + col + ", " + p + ")"
	return jsonValue{
		typ:     typ,
		text:    "CASE WHEN " + typ + " = 'text' THEN " + value + " END",
		number:  "CASE WHEN " + typ + " IN ('integer', 'real') THEN " + value + " END",
		boolean: "CASE " + typ + " WHEN 'true' THEN 1 WHEN 'false' THEN 0 END",
	}
}
