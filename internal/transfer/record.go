package transfer

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
)

// Format names the shape of a line; an import refuses any other.
const Format = "latchkey.user.v1"

// Record is one line of an export: one user and everything they sign in with.
type Record struct {
	Format       string       `json:"format"`
	User         User         `json:"user"`
	Applications []AppLink    `json:"applications,omitempty"`
	Credentials  []Credential `json:"credentials,omitempty"`
	// RecoveryKeyCheck names the master key the recovery codes' hashes are keyed with (a keyed
	// hash of a fixed label, which tells nothing of the key): set when there are any.
	RecoveryKeyCheck string `json:"recovery_key_check,omitempty"`
}

// User is a user's profile and identifiers. The id is kept, so that the applications that
// stored it go on finding the user.
type User struct {
	ID              string          `json:"id"`
	Email           string          `json:"email,omitempty"`
	EmailVerifiedAt *time.Time      `json:"email_verified_at,omitempty"`
	PhoneNumber     string          `json:"phone_number,omitempty"`
	PhoneVerifiedAt *time.Time      `json:"phone_verified_at,omitempty"`
	Username        string          `json:"username,omitempty"`
	ExternalUserID  string          `json:"external_user_id,omitempty"`
	Name            model.Name      `json:"name,omitzero"`
	Address         model.Address   `json:"address,omitzero"`
	Birthday        string          `json:"birthday,omitempty"`
	Picture         string          `json:"picture,omitempty"`
	Language        string          `json:"language,omitempty"`
	SecondaryEmails []string        `json:"secondary_emails,omitempty"`
	SecondaryPhones []string        `json:"secondary_phone_numbers,omitempty"`
	CustomData      json.RawMessage `json:"custom_data,omitempty"`
	Status          string          `json:"status"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	LastAuthAt      *time.Time      `json:"last_auth_at,omitempty"`
	// StatusChangedAt, AddressUpdatedAt and SecondaryVerifiedAt are absent from exports made
	// before Latchkey recorded them; such users import as they were stored then.
	StatusChangedAt     *time.Time           `json:"status_changed_at,omitempty"`
	AddressUpdatedAt    *time.Time           `json:"address_updated_at,omitempty"`
	SecondaryVerifiedAt map[string]time.Time `json:"secondary_verified_at,omitempty"`
}

// AppLink is a user's link to an application. The application is found on import by its id,
// or else by its name: application ids differ between deployments.
type AppLink struct {
	AppID         string          `json:"app_id"`
	AppName       string          `json:"app_name"`
	CustomAppData json.RawMessage `json:"custom_app_data,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
	Adopted       bool            `json:"adopted,omitempty"`
	// ExternalAccountID is the application's own identifier of the user.
	ExternalAccountID string `json:"external_account_id,omitempty"`
}

// Credential is one authenticator. Secret is the stored secret of a password (its PHC hash),
// a recovery code (its keyed hash) or a passkey (nothing today); a TOTP key travels opened in
// TOTPSecret instead, because its sealed form opens only under the source's key and tenant.
type Credential struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	LookupKey  string          `json:"lookup_key,omitempty"`
	Name       string          `json:"name,omitempty"`
	Secret     []byte          `json:"secret,omitempty"`
	TOTPSecret string          `json:"totp_secret,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	LastUsedAt *time.Time      `json:"last_used_at,omitempty"`
	// AppID and AppName are the application the credential was added through, mapped on
	// import like a link's; empty for a credential stored before Latchkey recorded it.
	AppID   string `json:"app_id,omitempty"`
	AppName string `json:"app_name,omitempty"`
	RPID    string `json:"rp_id,omitempty"` // a passkey's relying party id
}

func fromUser(u model.User) User {
	return User{
		ID: u.ID, Email: u.Email, EmailVerifiedAt: u.EmailVerifiedAt, PhoneNumber: u.PhoneNumber,
		PhoneVerifiedAt: u.PhoneVerifiedAt, Username: u.Username, ExternalUserID: u.ExternalUserID,
		Name: u.Name, Address: u.Address, Birthday: u.Birthday, Picture: u.Picture, Language: u.Language,
		SecondaryEmails: u.SecondaryEmails, SecondaryPhones: u.SecondaryPhones, CustomData: u.CustomData,
		Status: u.Status, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, LastAuthAt: u.LastAuthAt,
		StatusChangedAt: u.StatusChangedAt, AddressUpdatedAt: u.AddressUpdatedAt, SecondaryVerifiedAt: u.SecondaryVerifiedAt,
	}
}

func (u User) model(tenantID string) model.User {
	return model.User{
		ID: u.ID, TenantID: tenantID, Email: u.Email, EmailVerifiedAt: u.EmailVerifiedAt, PhoneNumber: u.PhoneNumber,
		PhoneVerifiedAt: u.PhoneVerifiedAt, Username: u.Username, ExternalUserID: u.ExternalUserID,
		Name: u.Name, Address: u.Address, Birthday: u.Birthday, Picture: u.Picture, Language: u.Language,
		SecondaryEmails: u.SecondaryEmails, SecondaryPhones: u.SecondaryPhones, CustomData: u.CustomData,
		Status: u.Status, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, LastAuthAt: u.LastAuthAt,
		StatusChangedAt: u.StatusChangedAt, AddressUpdatedAt: u.AddressUpdatedAt, SecondaryVerifiedAt: u.SecondaryVerifiedAt,
	}
}

// recoveryLabel is the scope of the key check: no recovery code is hashed under it, since
// their scopes are credential ids.
const recoveryLabel = "latchkey export: recovery code key"

// RecoveryKeyCheck returns the value that names keys' recovery-code hashing key in an export.
func RecoveryKeyCheck(keys *secret.Keys) string {
	return base64.RawURLEncoding.EncodeToString(keys.HashCode(recoveryLabel, "")[:16])
}
