package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Target is the user (or would-be user) a code is for.
type Target struct {
	User       model.User // zero for a public sign-up
	Known      bool
	Identifier string // normalised, prefixed by type: "email:alice@example.com"
	Dest       string // the email address to deliver to: the user's, or the sign-up address
}

// ResolveTarget finds the user an identifier names among the application's users. An unknown
// user is not an error when the application allows public sign-up by email or phone number,
// or hides whether users exist.
func (s *Service) ResolveTarget(ctx context.Context, c model.Caller, app model.Application, idType, value string) (_ Target, err error) {
	ctx, span := s.step(ctx, "auth.resolve_target")
	defer func() { span.End(err) }()
	norm, err := directory.NormalizeIdentifier(idType, value)
	if err != nil {
		return Target{}, fault.Validation("identifier: " + err.Error())
	}
	t := Target{Identifier: idType + ":" + norm}
	u, err := s.Lookup(ctx, s.store, c, "send", idType, norm)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return t, fault.Wrap(err, "find user")
	}
	// The application link is read whether or not someone has the identifier: for nobody, a
	// stand-in's (see standInUsers), and the result ignored.
	_, lerr := s.store.GetAppUser(ctx, c.TenantID, c.AppID, s.SubjectID(c, "send", u, err))
	switch {
	case lerr != nil && !errors.Is(lerr, storage.ErrNotFound):
		return t, fault.Wrap(lerr, "get app user")
	case err == nil && (lerr == nil || app.AllowPublicSignup):
		if lerr == nil {
			s.RememberStandIn(c, "send", u.ID)
		}
		t.User, t.Known, t.Dest = u, true, u.Email
		return t, nil
	}
	switch {
	case app.AllowPublicSignup && idType == model.IdentifierEmail:
		t.Dest = norm
		return t, nil
	case app.AllowPublicSignup && idType == model.IdentifierPhone:
		return t, nil
	case app.EnumerationProtection:
		return t, nil
	}
	return t, fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
}

// Lookup finds the tenant's user an identifier names. When nobody has it, the flow's
// stand-in's row is read in its place and discarded (see standInUsers), so that a miss takes
// as long as a hit.
func (s *Service) Lookup(ctx context.Context, st storage.Users, c model.Caller, flow, idType, norm string) (model.User, error) {
	return st.LookupUser(ctx, c.TenantID, idType, norm, s.StandIn(c, flow))
}

func ValidateIdentifier(idType, value string) []string {
	var p []string
	switch idType {
	case model.IdentifierEmail, model.IdentifierPhone, model.IdentifierUserID, model.IdentifierUsername:
	case "":
		p = append(p, "identifier_type is required")
	default:
		// Mosaic lets a tenant define identifier types of its own; Latchkey's users have none,
		// so such a type can name no one and is refused rather than looked up in vain.
		p = append(p, fmt.Sprintf("identifier_type %q is not supported: custom identifier types are not supported yet; use email, phone_number, user_id or username", clip(idType)))
	}
	if value == "" {
		p = append(p, "identifier is required")
	}
	return p
}

// ParseApprovalData checks Mosaic's approval_data, a flat object of at most ten keys of
// letters, digits, "_", "." and "-", whose values are strings, numbers or booleans, and returns
// it compacted with sorted keys. null and {} mean none.
func ParseApprovalData(raw json.RawMessage) (json.RawMessage, []string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if raw[0] != '{' || dec.Decode(&m) != nil {
		return nil, []string{"approval_data must be a JSON object"}
	}
	if len(m) == 0 {
		return nil, nil
	}
	var p []string
	if len(m) > maxApprovalKeys {
		p = append(p, "approval_data must have at most 10 keys")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if len(k) > maxApprovalKeyLen || !approvalKey.MatchString(k) {
			p = append(p, "approval_data keys must be 1 to 64 letters, digits, '_', '.' or '-': "+clipText(k))
			continue
		}
		switch v := m[k].(type) {
		case bool:
		case json.Number:
			// Signed into the ID token: a number its readers cannot hold (1e400 is Infinity
			// to JavaScript and an error to Go) would break the token for them.
			if f, err := v.Float64(); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				p = append(p, "approval_data."+k+" must be a finite number")
			}
		case string:
			if utf8.RuneCountInString(v) > maxApprovalStringLen {
				p = append(p, "approval_data."+k+" must be at most 512 characters")
			}
		default:
			p = append(p, "approval_data."+k+" must be a string, a number or a boolean")
		}
	}
	if len(p) > 0 {
		return nil, p
	}
	out, err := json.Marshal(m)
	if err != nil {
		return nil, []string{"approval_data must be a JSON object"}
	}
	return out, nil
}

// clipText shortens caller input quoted back in a message.
func clipText(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// Limits of approval data. Mosaic documents the ten keys; the lengths of keys and values are
// Latchkey's, to keep tokens small.
const (
	maxApprovalKeys      = 10
	maxApprovalKeyLen    = 64
	maxApprovalStringLen = 512
)

var approvalKey = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
