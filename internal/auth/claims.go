package auth

import (
	"encoding/json"

	"github.com/latchkey/latchkey/internal/model"
)

// ClaimsRequest is the OIDC claims request parameter (OpenID Connect Core section 5.5): which
// extra claims to put in the ID token and in the access token. Values of the inner maps (null
// or {"essential": true}) do not change what Latchkey returns: an unset claim is simply omitted.
type ClaimsRequest struct {
	IDToken     map[string]json.RawMessage `json:"id_token,omitempty"`
	AccessToken map[string]json.RawMessage `json:"access_token,omitempty"`
}

// userClaim computes one requestable claim for a user, reporting false when it has no value.
// Unknown names also report false: OIDC asks servers to ignore claims they cannot supply.
func userClaim(name string, u model.User, link model.AppUser, app model.Application) (any, bool) {
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
		return u.SecondaryEmails, len(u.SecondaryEmails) > 0
	case "secondary_phone_numbers":
		return u.SecondaryPhones, len(u.SecondaryPhones) > 0
	case "created_at":
		return u.CreatedAt.UnixMilli(), true
	case "last_auth":
		if u.LastAuthAt == nil {
			return nil, false
		}
		return u.LastAuthAt.UnixMilli(), true
	case "custom_data":
		return rawObject(u.CustomData)
	case "custom_app_data":
		return rawObject(link.CustomAppData)
	case "app_name":
		return str(app.Name)
	}
	return nil, false
}

func rawObject(raw json.RawMessage) (any, bool) {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "{}" {
		return nil, false
	}
	return raw, true
}

// addUserClaims copies the requested claims that have values into dst. Claims already in dst
// (the registered ones: sub, aud, ...) are never overwritten by a request.
func addUserClaims(dst map[string]any, names map[string]json.RawMessage, extra []string, u model.User, link model.AppUser, app model.Application) {
	add := func(name string) {
		if _, taken := dst[name]; taken {
			return
		}
		if v, ok := userClaim(name, u, link, app); ok {
			dst[name] = v
		}
	}
	for _, name := range extra {
		add(name)
	}
	for name := range names {
		add(name)
	}
}
