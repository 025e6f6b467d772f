package httpapi

import (
	"encoding/json"

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
	ExternalAccountID     string           `json:"external_account_id"`
	Credentials           *credentialsJSON `json:"credentials"`
	DelegatedAccess       json.RawMessage  `json:"delegated_access"`
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
		ExternalAccountID:     req.ExternalAccountID,
		DelegatedAccess:       req.DelegatedAccess,
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
// left unchanged; secondary emails and phone numbers are added to the user's.
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
	ExternalAccountID     *string         `json:"external_account_id"`
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
		ExternalAccountID:     req.ExternalAccountID,
	}
}
