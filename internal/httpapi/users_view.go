package httpapi

import (
	"encoding/json"
	"time"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/model"
)

// userJSON is Mosaic's user object (ApiUser). As in Mosaic, created_at and updated_at are
// epoch milliseconds and every other time is an ISO 8601 date-time string; birthday, a date,
// is written as that day's midnight UTC. Unset optional fields are omitted; the lists are
// always present.
type userJSON struct {
	UserID                string          `json:"user_id"`
	Email                 *emailJSON      `json:"email,omitempty"`
	SecondaryEmails       []emailJSON     `json:"secondary_emails"`
	PhoneNumber           *phoneJSON      `json:"phone_number,omitempty"`
	SecondaryPhoneNumbers []phoneJSON     `json:"secondary_phone_numbers"`
	Username              string          `json:"username,omitempty"`
	Birthday              string          `json:"birthday,omitempty"`
	Address               *addressJSON    `json:"address,omitempty"`
	Name                  *model.Name     `json:"name,omitempty"`
	Status                string          `json:"status"`
	StatusChangedAt       string          `json:"status_changed_at"`
	CreatedAt             int64           `json:"created_at"`
	UpdatedAt             int64           `json:"updated_at"`
	Identities            []identityJSON  `json:"identities"`
	LastAuth              string          `json:"last_auth,omitempty"`
	ExternalAccountID     string          `json:"external_account_id,omitempty"`
	AppName               string          `json:"app_name,omitempty"`
	CustomAppData         json.RawMessage `json:"custom_app_data,omitempty"`
	GroupIDs              []string        `json:"groupIds"`
	Picture               string          `json:"picture,omitempty"`
	Language              string          `json:"language,omitempty"`
	CustomData            json.RawMessage `json:"custom_data,omitempty"`
	ExternalUserID        string          `json:"external_user_id,omitempty"`
	PasswordInformation   *passwordJSON   `json:"password_information,omitempty"`
}

type emailJSON struct {
	Value         string `json:"value"`
	EmailVerified bool   `json:"email_verified"`
	VerifiedAt    string `json:"verified_at,omitempty"`
}

type phoneJSON struct {
	Value               string `json:"value"`
	PhoneNumberVerified bool   `json:"phone_number_verified"`
	VerifiedAt          string `json:"verified_at,omitempty"`
}

// addressJSON is a user's address with when it was last set, in epoch milliseconds.
type addressJSON struct {
	model.Address
	UpdatedAt int64 `json:"updated_at,omitempty"`
}

// identityJSON is one way the user has signed in (Mosaic's ApiUserIdentity). Every login
// method of Latchkey is its own, a Native one.
type identityJSON struct {
	ProviderName  string     `json:"provider_name"`
	ProviderType  string     `json:"provider_type"`
	AuthType      string     `json:"auth_type"`
	Identifier    string     `json:"identifier"`
	UserAlias     *aliasJSON `json:"user_alias,omitempty"`
	FirstAuthDate string     `json:"first_auth_date"`
	LastAuthDate  string     `json:"last_auth_date"`
}

type aliasJSON struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// passwordJSON is Mosaic's ApiPasswordInformation.
type passwordJSON struct {
	Expired   bool   `json:"expired"`
	Temporary bool   `json:"temporary"`
	UpdatedAt int64  `json:"updated_at"`
	ExpiresIn string `json:"expires_in,omitempty"`
}

type userResult struct {
	Result userJSON `json:"result"`
}

type pageInfoJSON struct {
	HasNextPage     bool `json:"has_next_page"`
	HasPreviousPage bool `json:"has_previous_page"`
	// EndCursor, Latchkey's addition, starts the next page when passed as page_cursor.
	EndCursor string `json:"end_cursor,omitempty"`
}

type userList struct {
	Result     []userJSON   `json:"result"`
	TotalCount int          `json:"total_count"`
	PageInfo   pageInfoJSON `json:"page_info"`
}

// authTypes maps Latchkey's login methods (AMR values) to Mosaic's auth_type. The audit log
// records a code the caller delivered itself (the direct channel) with the same AMR as a TOTP
// code, otp, since neither proves a channel; both are reported as totp.
var authTypes = map[string]string{
	model.AMREmailOTP: "email_otp", model.AMRSMS: "sms_otp", model.AMRMagicLink: "email_magic_link",
	model.AMRPassword: "password", model.AMRWebAuthn: "webauthn", model.AMRTOTP: "totp", "rec": "totp",
}

// dateTime writes t as Mosaic writes times other than created_at and updated_at.
func dateTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// optDateTime is dateTime of t, or "" when t is nil.
func optDateTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return dateTime(*t)
}

func toUserJSON(u directory.User) userJSON {
	statusChanged := u.CreatedAt
	if u.StatusChangedAt != nil {
		statusChanged = *u.StatusChangedAt
	}
	if u.GroupIDs == nil {
		u.GroupIDs = []string{} // a list, always, as the other lists
	}
	out := userJSON{
		UserID:                u.ID,
		SecondaryEmails:       make([]emailJSON, len(u.SecondaryEmails)),
		SecondaryPhoneNumbers: make([]phoneJSON, len(u.SecondaryPhones)),
		Username:              u.Username,
		Status:                u.Status,
		StatusChangedAt:       dateTime(statusChanged),
		CreatedAt:             u.CreatedAt.UnixMilli(),
		UpdatedAt:             u.UpdatedAt.UnixMilli(),
		Identities:            make([]identityJSON, 0, len(u.Identities)),
		LastAuth:              optDateTime(u.LastAuthAt),
		ExternalAccountID:     u.ExternalAccountID,
		AppName:               u.AppName,
		CustomAppData:         u.CustomAppData,
		GroupIDs:              u.GroupIDs,
		Picture:               u.Picture,
		Language:              u.Language,
		CustomData:            u.CustomData,
		ExternalUserID:        u.ExternalUserID,
	}
	if u.Email != "" {
		out.Email = &emailJSON{Value: u.Email, EmailVerified: u.EmailVerifiedAt != nil, VerifiedAt: optDateTime(u.EmailVerifiedAt)}
	}
	if u.PhoneNumber != "" {
		out.PhoneNumber = &phoneJSON{Value: u.PhoneNumber, PhoneNumberVerified: u.PhoneVerifiedAt != nil, VerifiedAt: optDateTime(u.PhoneVerifiedAt)}
	}
	for i, v := range u.SecondaryEmails {
		at, ok := u.SecondaryVerifiedAt[v]
		out.SecondaryEmails[i] = emailJSON{Value: v, EmailVerified: ok}
		if ok {
			out.SecondaryEmails[i].VerifiedAt = dateTime(at)
		}
	}
	for i, v := range u.SecondaryPhones {
		at, ok := u.SecondaryVerifiedAt[v]
		out.SecondaryPhoneNumbers[i] = phoneJSON{Value: v, PhoneNumberVerified: ok}
		if ok {
			out.SecondaryPhoneNumbers[i].VerifiedAt = dateTime(at)
		}
	}
	if u.Birthday != "" {
		out.Birthday = u.Birthday + "T00:00:00.000Z"
	}
	if u.Name != (model.Name{}) {
		out.Name = &u.Name
	}
	if !u.Address.IsZero() {
		out.Address = &addressJSON{Address: u.Address}
		if u.AddressUpdatedAt != nil {
			out.Address.UpdatedAt = u.AddressUpdatedAt.UnixMilli()
		}
	}
	for _, id := range u.Identities {
		if kind, ok := authTypes[id.Method]; ok {
			out.Identities = append(out.Identities, identityJSON{
				ProviderName: "Latchkey", ProviderType: "Native", AuthType: kind, Identifier: u.ID,
				UserAlias: aliasOf(u.User, kind), FirstAuthDate: dateTime(id.First), LastAuthDate: dateTime(id.Last),
			})
		}
	}
	if p := u.Password; p != nil {
		out.PasswordInformation = &passwordJSON{Expired: p.Expired, Temporary: p.Temporary,
			UpdatedAt: p.UpdatedAt.UnixMilli(), ExpiresIn: optDateTime(p.ExpiresAt)}
	}
	return out
}

// aliasOf is the identifier of u that a login of kind names: the email a code or link goes
// to, the phone number an SMS goes to, the name a password is entered with. Passkeys and
// one-time passwords name none of them.
func aliasOf(u model.User, kind string) *aliasJSON {
	var a aliasJSON
	switch {
	case (kind == "email_otp" || kind == "email_magic_link") && u.Email != "":
		a = aliasJSON{Type: "email", Value: u.Email}
	case kind == "sms_otp" && u.PhoneNumber != "":
		a = aliasJSON{Type: "phone_number", Value: u.PhoneNumber}
	case kind == "password" && u.Username != "":
		a = aliasJSON{Type: "username", Value: u.Username}
	case kind == "password" && u.Email != "":
		a = aliasJSON{Type: "email", Value: u.Email}
	default:
		return nil
	}
	return &a
}
