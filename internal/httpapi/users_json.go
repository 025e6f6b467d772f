package httpapi

import (
	"encoding/json"
	"time"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/model"
)

// createUserRequest is the body of POST /cis/v1/users, in Mosaic's shape.
type createUserRequest struct {
	Email                 string           `json:"email"`
	PhoneNumber           string           `json:"phone_number"`
	Username              string           `json:"username"`
	SecondaryEmails       []string         `json:"secondary_emails"`
	SecondaryPhoneNumbers []string         `json:"secondary_phone_numbers"`
	Birthday              string           `json:"birthday"`
	Address               model.Address    `json:"address"`
	Name                  model.Name       `json:"name"`
	ExternalUserID        string           `json:"external_user_id"`
	CustomData            json.RawMessage  `json:"custom_data"`
	CustomAppData         json.RawMessage  `json:"custom_app_data"`
	Picture               string           `json:"picture"`
	Language              string           `json:"language"`
	Status                string           `json:"status"`
	Credentials           *credentialsJSON `json:"credentials"`
}

// credentialsJSON is a new user's password, or a hash imported from another system. An absent
// force_replace is true for a password, as Mosaic's password registration defaults it, and
// false for an imported hash, which is the user's own existing password.
type credentialsJSON struct {
	Password     string `json:"password"`
	PasswordHash string `json:"password_hash"`
	ForceReplace *bool  `json:"force_replace"`
}

func (req createUserRequest) input() directory.CreateInput {
	in := directory.CreateInput{
		Email:                 req.Email,
		PhoneNumber:           req.PhoneNumber,
		Username:              req.Username,
		SecondaryEmails:       req.SecondaryEmails,
		SecondaryPhoneNumbers: req.SecondaryPhoneNumbers,
		Birthday:              req.Birthday,
		Address:               req.Address,
		Name:                  req.Name,
		ExternalUserID:        req.ExternalUserID,
		CustomData:            req.CustomData,
		CustomAppData:         req.CustomAppData,
		Picture:               req.Picture,
		Language:              req.Language,
		Status:                req.Status,
	}
	if req.Credentials != nil {
		cr := req.Credentials
		force := cr.PasswordHash == ""
		if cr.ForceReplace != nil {
			force = *cr.ForceReplace
		}
		in.Credentials = &directory.Credentials{Password: cr.Password, PasswordHash: cr.PasswordHash, ForceReplace: force}
	}
	return in
}

// updateUserRequest is the body of PUT /cis/v1/users/{user_id}. Absent and null fields are
// left unchanged.
type updateUserRequest struct {
	Email                 *string         `json:"email"`
	PhoneNumber           *string         `json:"phone_number"`
	Username              *string         `json:"username"`
	SecondaryEmails       *[]string       `json:"secondary_emails"`
	SecondaryPhoneNumbers *[]string       `json:"secondary_phone_numbers"`
	Birthday              *string         `json:"birthday"`
	Address               *model.Address  `json:"address"`
	Name                  *model.Name     `json:"name"`
	ExternalUserID        *string         `json:"external_user_id"`
	CustomData            json.RawMessage `json:"custom_data"`
	CustomAppData         json.RawMessage `json:"custom_app_data"`
	Picture               *string         `json:"picture"`
	Language              *string         `json:"language"`
	Status                *string         `json:"status"`
}

func (req updateUserRequest) input() directory.UpdateInput {
	return directory.UpdateInput{
		Email:                 req.Email,
		PhoneNumber:           req.PhoneNumber,
		Username:              req.Username,
		ExternalUserID:        req.ExternalUserID,
		SecondaryEmails:       req.SecondaryEmails,
		SecondaryPhoneNumbers: req.SecondaryPhoneNumbers,
		Birthday:              req.Birthday,
		Address:               req.Address,
		Name:                  req.Name,
		Picture:               req.Picture,
		Language:              req.Language,
		Status:                req.Status,
		CustomData:            req.CustomData,
		CustomAppData:         req.CustomAppData,
	}
}

// userJSON is Mosaic's user object. Times are epoch milliseconds, as Mosaic sends them; unset
// fields are omitted.
type userJSON struct {
	UserID                string          `json:"user_id"`
	Email                 *emailJSON      `json:"email,omitempty"`
	PhoneNumber           *phoneJSON      `json:"phone_number,omitempty"`
	Username              string          `json:"username,omitempty"`
	Status                string          `json:"status"`
	CreatedAt             int64           `json:"created_at"`
	UpdatedAt             int64           `json:"updated_at"`
	LastAuth              *int64          `json:"last_auth,omitempty"`
	Name                  *model.Name     `json:"name,omitempty"`
	Address               *model.Address  `json:"address,omitempty"`
	Birthday              string          `json:"birthday,omitempty"`
	Picture               string          `json:"picture,omitempty"`
	Language              string          `json:"language,omitempty"`
	ExternalUserID        string          `json:"external_user_id,omitempty"`
	SecondaryEmails       []string        `json:"secondary_emails,omitempty"`
	SecondaryPhoneNumbers []string        `json:"secondary_phone_numbers,omitempty"`
	CustomData            json.RawMessage `json:"custom_data,omitempty"`
	CustomAppData         json.RawMessage `json:"custom_app_data,omitempty"`
}

type emailJSON struct {
	Value         string `json:"value"`
	EmailVerified bool   `json:"email_verified"`
	VerifiedAt    *int64 `json:"verified_at,omitempty"`
}

type phoneJSON struct {
	Value               string `json:"value"`
	PhoneNumberVerified bool   `json:"phone_number_verified"`
	VerifiedAt          *int64 `json:"verified_at,omitempty"`
}

type userResult struct {
	Result userJSON `json:"result"`
}

type userList struct {
	Result     []userJSON `json:"result"`
	TotalCount int        `json:"total_count"`
}

func toUserJSON(u directory.User) userJSON {
	out := userJSON{
		UserID:                u.ID,
		Username:              u.Username,
		Status:                u.Status,
		CreatedAt:             u.CreatedAt.UnixMilli(),
		UpdatedAt:             u.UpdatedAt.UnixMilli(),
		LastAuth:              millis(u.LastAuthAt),
		Birthday:              u.Birthday,
		Picture:               u.Picture,
		Language:              u.Language,
		ExternalUserID:        u.ExternalUserID,
		SecondaryEmails:       u.SecondaryEmails,
		SecondaryPhoneNumbers: u.SecondaryPhones,
		CustomData:            u.CustomData,
		CustomAppData:         u.CustomAppData,
	}
	if u.Email != "" {
		out.Email = &emailJSON{Value: u.Email, EmailVerified: u.EmailVerifiedAt != nil, VerifiedAt: millis(u.EmailVerifiedAt)}
	}
	if u.PhoneNumber != "" {
		out.PhoneNumber = &phoneJSON{Value: u.PhoneNumber, PhoneNumberVerified: u.PhoneVerifiedAt != nil, VerifiedAt: millis(u.PhoneVerifiedAt)}
	}
	if u.Name != (model.Name{}) {
		out.Name = &u.Name
	}
	if !u.Address.IsZero() {
		out.Address = &u.Address
	}
	return out
}

// millis returns t as epoch milliseconds, or nil when t is nil.
func millis(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}
