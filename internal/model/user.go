package model

import (
	"encoding/json"
	"time"
)

// User statuses.
const (
	UserActive   = "Active"
	UserDisabled = "Disabled"
	UserPending  = "Pending"
)

// User is an end user of a tenant. Identifiers (email, phone number, username, external user
// id) are each unique within the tenant when set.
type User struct {
	ID              string
	TenantID        string
	Email           string // normalised: trimmed, domain lower-cased
	EmailVerifiedAt *time.Time
	PhoneNumber     string // E.164
	PhoneVerifiedAt *time.Time
	Username        string
	ExternalUserID  string
	Name            Name
	Address         Address
	Birthday        string // YYYY-MM-DD
	Picture         string
	Language        string
	SecondaryEmails []string
	SecondaryPhones []string
	CustomData      json.RawMessage // a JSON object, tenant-wide
	Status          string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	LastAuthAt      *time.Time
	// StatusChangedAt is when Status last changed; nil for a user whose status has not changed
	// since Latchkey began recording it (their creation time stands in).
	StatusChangedAt *time.Time
	// AddressUpdatedAt is when Address was last set; nil when it never was.
	AddressUpdatedAt *time.Time
	// SecondaryVerifiedAt holds, for each verified secondary email address and phone number
	// (keys are the values as in SecondaryEmails and SecondaryPhones, which cannot collide:
	// only an email has an @ and only a phone number starts with +), when it was verified.
	SecondaryVerifiedAt map[string]time.Time
}

// Name is a user's name, in Mosaic's shape.
type Name struct {
	Title      string `json:"title,omitempty"`
	FirstName  string `json:"first_name,omitempty"`
	LastName   string `json:"last_name,omitempty"`
	MiddleName string `json:"middle_name,omitempty"`
}

// Address is a user's postal address, in Mosaic's shape.
type Address struct {
	Country       string `json:"country,omitempty"`
	State         string `json:"state,omitempty"`
	City          string `json:"city,omitempty"`
	StreetAddress string `json:"street_address,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Type          string `json:"type,omitempty"` // Home, Work or Other
}

// IsZero reports whether no field of a is set.
func (a Address) IsZero() bool { return a == Address{} }

// AppUser links a user to an application; a client token sees only the users linked to its
// application. CustomAppData is the application's own JSON object about the user.
type AppUser struct {
	TenantID      string
	AppID         string
	UserID        string
	CustomAppData json.RawMessage
	CreatedAt     time.Time
	// Adopted marks a link made to a user who already existed (user creation with their
	// identifiers, or a sign-in through an application they were not linked to), as opposed to
	// one made with the user's creation (by this application's users API or its public
	// sign-up). An adopted user is not the application's own to change.
	Adopted bool
	// ExternalAccountID is the application's own identifier of the user (Mosaic's
	// external_account_id), set by the application; empty when it set none.
	ExternalAccountID string
}
