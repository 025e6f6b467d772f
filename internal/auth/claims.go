package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/token"
)

// ClaimsRequest is the OIDC claims request parameter (OpenID Connect Core section 5.5) as
// Mosaic takes it: which extra claims to put in the ID token and in the access token. Every
// name is checked against the claims catalog (token.Claim) when the request is decoded: a
// claim Latchkey does not produce is refused with the reason, never silently left out.
type ClaimsRequest struct {
	IDToken     map[string]ClaimSpec `json:"id_token,omitempty"`
	AccessToken map[string]ClaimSpec `json:"access_token,omitempty"`
}

// ClaimSpec is what a request says about one claim: null, or an object that may mark it
// essential (which changes nothing: a claim without a value is omitted either way) and, for
// custom_data and custom_app_data, name the fields to return (Mosaic's "fields").
type ClaimSpec struct {
	Essential bool
	// Fields, when set, limits custom_data or custom_app_data to these members.
	Fields []string
}

// Limits of a claims request's fields lists.
const (
	maxClaimFields   = 100
	maxClaimFieldLen = 256
)

// fieldsClaims are the claims whose value may be narrowed to some of its fields.
var fieldsClaims = map[string]bool{"custom_data": true, "custom_app_data": true}

// UnmarshalJSON decodes a claims request and refuses, naming the place, anything Latchkey
// would otherwise have to ignore: a member other than id_token and access_token, a claim it
// does not produce, a value it does not understand.
func (r *ClaimsRequest) UnmarshalJSON(data []byte) error {
	*r = ClaimsRequest{}
	if isNull(data) {
		return nil
	}
	members, err := object(data, "claims")
	if err != nil {
		return err
	}
	var problems []string
	for _, name := range sortedNames(members) {
		var dst *map[string]ClaimSpec
		switch name {
		case "id_token":
			dst = &r.IDToken
		case "access_token":
			dst = &r.AccessToken
		case "userinfo":
			problems = append(problems, "claims.userinfo cannot be requested: there is no UserInfo endpoint; ask for the claims in id_token")
			continue
		default:
			problems = append(problems, fmt.Sprintf("claims.%s is not supported: a claims request has only id_token and access_token", clip(name)))
			continue
		}
		specs, p := parseClaimSpecs("claims."+name, members[name])
		*dst = specs
		problems = append(problems, p...)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// Problems lists what is wrong with a claims request built without decoding (decoded ones are
// checked as they are decoded): claim names Latchkey does not produce, misplaced fields.
func (r ClaimsRequest) Problems() []string {
	var p []string
	for _, part := range []struct {
		where string
		specs map[string]ClaimSpec
	}{{"claims.id_token", r.IDToken}, {"claims.access_token", r.AccessToken}} {
		for _, name := range sortedNames(part.specs) {
			if msg := token.ClaimProblem(name); msg != "" {
				p = append(p, part.where+": "+msg)
			} else if part.specs[name].Fields != nil && !fieldsClaims[name] {
				p = append(p, fmt.Sprintf("%s.%s: fields applies only to custom_data and custom_app_data", part.where, name))
			}
		}
	}
	return p
}

// CheckClaims refuses a claims request that names a claim Latchkey does not produce.
func CheckClaims(r ClaimsRequest) error {
	if p := r.Problems(); len(p) > 0 {
		return fault.Validation(p...)
	}
	return nil
}

func parseClaimSpecs(where string, raw json.RawMessage) (map[string]ClaimSpec, []string) {
	if isNull(raw) {
		return nil, nil
	}
	members, err := object(raw, where)
	if err != nil {
		return nil, []string{err.Error()}
	}
	specs := make(map[string]ClaimSpec, len(members))
	var problems []string
	for _, name := range sortedNames(members) {
		if msg := token.ClaimProblem(name); msg != "" {
			problems = append(problems, where+": "+msg)
			continue
		}
		spec, p := parseClaimSpec(where+"."+name, name, members[name])
		problems = append(problems, p...)
		specs[name] = spec
	}
	return specs, problems
}

// parseClaimSpec reads the value of one requested claim: null, or an object of essential and,
// for the custom data claims, fields. OIDC's value and values (return the claim only if it has
// this value) are refused rather than ignored.
func parseClaimSpec(where, name string, raw json.RawMessage) (ClaimSpec, []string) {
	var spec ClaimSpec
	if isNull(raw) {
		return spec, nil
	}
	members, err := object(raw, where)
	if err != nil {
		return spec, []string{where + " must be null or an object"}
	}
	var problems []string
	for _, m := range sortedNames(members) {
		v := members[m]
		switch m {
		case "essential":
			if err := json.Unmarshal(v, &spec.Essential); err != nil {
				problems = append(problems, where+".essential must be a boolean")
			}
		case "fields":
			if !fieldsClaims[name] {
				problems = append(problems, where+".fields applies only to custom_data and custom_app_data")
				continue
			}
			spec.Fields, problems = parseFields(where+".fields", v, problems)
		case "value", "values":
			problems = append(problems, fmt.Sprintf("%s.%s is not supported: Latchkey does not filter claims by value", where, m))
		default:
			problems = append(problems, fmt.Sprintf("%s.%s is not supported: a requested claim takes only essential and, for custom data, fields", where, clip(m)))
		}
	}
	return spec, problems
}

func parseFields(where string, raw json.RawMessage, problems []string) ([]string, []string) {
	var fields []string
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, append(problems, where+" must be an array of field names")
	}
	if len(fields) > maxClaimFields {
		problems = append(problems, fmt.Sprintf("%s must name at most %d fields", where, maxClaimFields))
	}
	for _, f := range fields {
		if f == "" || len(f) > maxClaimFieldLen {
			problems = append(problems, fmt.Sprintf("%s must name fields of 1 to %d bytes", where, maxClaimFieldLen))
			break
		}
	}
	return fields, problems
}

func isNull(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// object decodes a JSON object into its members, or says that where must be one.
func object(raw []byte, where string) (map[string]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	var m map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return nil, fmt.Errorf("%s must be an object", where)
	}
	return m, nil
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// clip shortens caller input quoted back in a message.
func clip(s string) string {
	const max = 64
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// userClaim computes one requestable claim for a user, reporting false when it has no value.
// spec narrows the custom data claims to some of their fields.
func userClaim(name string, spec ClaimSpec, u model.User, link model.AppUser, app model.Application) (any, bool) {
	str := func(v string) (any, bool) { return v, v != "" }
	switch name {
	case "email":
		return str(u.Email)
	case "email_verified":
		return u.EmailVerifiedAt != nil, u.Email != ""
	case "phone_number":
		return str(u.PhoneNumber)
	case "phone_number_verified":
		return u.PhoneVerifiedAt != nil, u.PhoneNumber != ""
	case "fname":
		return str(u.Name.FirstName)
	case "lname":
		return str(u.Name.LastName)
	case "mname":
		return str(u.Name.MiddleName)
	case "username":
		return str(u.Username)
	case "external_user_id":
		return str(u.ExternalUserID)
	case "birthday":
		return str(u.Birthday)
	case "language":
		return str(u.Language)
	case "picture":
		return str(u.Picture)
	case "city":
		return str(u.Address.City)
	case "country":
		return str(u.Address.Country)
	case "street_address":
		return str(u.Address.StreetAddress)
	case "address_type":
		return str(u.Address.Type)
	case "address":
		return u.Address, !u.Address.IsZero()
	case "secondary_emails":
		return secondaries(u.SecondaryEmails, u.SecondaryVerifiedAt, "email_verified")
	case "secondary_phone_numbers":
		return secondaries(u.SecondaryPhones, u.SecondaryVerifiedAt, "phone_number_verified")
	case "created_at":
		return u.CreatedAt.UnixMilli(), true
	case "last_auth":
		if u.LastAuthAt == nil {
			return nil, false
		}
		return u.LastAuthAt.UnixMilli(), true
	case "custom_data":
		return customObject(u.CustomData, spec.Fields)
	case "custom_app_data":
		return customObject(link.CustomAppData, spec.Fields)
	case "app_name":
		return str(app.Name)
	case "external_account_id":
		// The login's application's own identifier of the user, set on its link to them.
		return str(link.ExternalAccountID)
	}
	return nil, false
}

// secondaries lists secondary emails or phone numbers as Mosaic's ID tokens do: objects with
// the value and whether it is verified, as the user object says (verifiedAt, keyed by value).
func secondaries(values []string, verifiedAt map[string]time.Time, verified string) (any, bool) {
	out := make([]map[string]any, len(values))
	for i, v := range values {
		_, ok := verifiedAt[v]
		out[i] = map[string]any{"value": v, verified: ok}
	}
	return out, len(out) > 0
}

// customObject returns a custom data object, narrowed to fields when they are given; an
// empty object, or one with none of the fields, has no value.
func customObject(raw json.RawMessage, fields []string) (any, bool) {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "{}" {
		return nil, false
	}
	if fields == nil {
		return raw, true
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, false
	}
	picked := make(map[string]json.RawMessage, len(fields))
	for _, f := range fields {
		if v, ok := all[f]; ok {
			picked[f] = v
		}
	}
	return picked, len(picked) > 0
}

// claimSource is what the claims of a login's tokens are computed from.
type claimSource struct {
	user model.User
	link model.AppUser
	app  model.Application
	// groups reads the user's groups, for the groups and custom_group_data claims; it is
	// called only when one of them is asked for, so that other logins do not pay the read.
	groups func() []model.Group
	// login holds the claims about the login itself (new_user, client_id, scope, ...), added
	// to a token that does not carry them unasked when they are asked for.
	login map[string]any
}

func (src claimSource) claim(name string, spec ClaimSpec) (any, bool) {
	if v, ok := src.login[name]; ok {
		return v, v != nil
	}
	switch name {
	case "groups", "custom_group_data":
		if src.groups == nil {
			return nil, false
		}
		return groupClaim(name, src.groups())
	}
	return userClaim(name, spec, src.user, src.link, src.app)
}

// groupClaim computes the group claims: groups lists the ids of the user's groups, and
// custom_group_data maps each group id to its custom data (groups without data left out).
func groupClaim(name string, list []model.Group) (any, bool) {
	if name == "groups" {
		ids := make([]string, len(list))
		for i, g := range list {
			ids[i] = g.ID
		}
		return ids, len(ids) > 0
	}
	data := map[string]json.RawMessage{}
	for _, g := range list {
		if len(g.CustomData) > 0 && string(g.CustomData) != "{}" {
			data[g.ID] = g.CustomData
		}
	}
	return data, len(data) > 0
}

// addClaims copies the requested claims that have values into dst, then the defaults (a
// client's default_custom_claims) not requested. Claims already in dst (the registered ones:
// sub, aud, ...) are never overwritten by a request.
func addClaims(dst map[string]any, specs map[string]ClaimSpec, defaults []string, src claimSource) {
	add := func(name string, spec ClaimSpec) {
		if _, taken := dst[name]; taken {
			return
		}
		if v, ok := src.claim(name, spec); ok {
			dst[name] = v
		}
	}
	for name, spec := range specs {
		add(name, spec)
	}
	for _, name := range defaults {
		add(name, ClaimSpec{})
	}
}
