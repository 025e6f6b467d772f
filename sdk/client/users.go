package client

import (
	"context"
	"net/url"
	"strconv"
)

// Name is a user's name.
type Name struct {
	Title      string `json:"title,omitempty"`
	FirstName  string `json:"first_name,omitempty"`
	MiddleName string `json:"middle_name,omitempty"`
	LastName   string `json:"last_name,omitempty"`
}

// NewUser is a user to create. A user needs an email, a phone number or a username.
type NewUser struct {
	Email          string         `json:"email,omitempty"`
	PhoneNumber    string         `json:"phone_number,omitempty"`
	Username       string         `json:"username,omitempty"`
	Name           *Name          `json:"name,omitempty"`
	ExternalUserID string         `json:"external_user_id,omitempty"`
	Language       string         `json:"language,omitempty"`
	CustomData     map[string]any `json:"custom_data,omitempty"`
	// Credentials registers a password (or imports a hash) with the user.
	Credentials *NewPassword `json:"credentials,omitempty"`
}

// NewPassword is a password to register. ForceReplace defaults to true on the server (the
// password is temporary) unless set.
type NewPassword struct {
	Password     string `json:"password,omitempty"`
	PasswordHash string `json:"password_hash,omitempty"`
	ForceReplace *bool  `json:"force_replace,omitempty"`
}

// UserUpdate changes a user; nil fields stay as they are.
type UserUpdate struct {
	Email       *string        `json:"email,omitempty"`
	PhoneNumber *string        `json:"phone_number,omitempty"`
	Username    *string        `json:"username,omitempty"`
	Name        *Name          `json:"name,omitempty"`
	Language    *string        `json:"language,omitempty"`
	Status      *string        `json:"status,omitempty"`
	CustomData  map[string]any `json:"custom_data,omitempty"`
}

// Address is an email address or phone number of a user, with whether it is verified.
type Address struct {
	Value               string `json:"value"`
	EmailVerified       *bool  `json:"email_verified,omitempty"`
	PhoneNumberVerified *bool  `json:"phone_number_verified,omitempty"`
	VerifiedAt          string `json:"verified_at,omitempty"`
}

// User is the Users API's user object (the members most integrations read).
type User struct {
	UserID         string         `json:"user_id"`
	Status         string         `json:"status"`
	Email          *Address       `json:"email,omitempty"`
	PhoneNumber    *Address       `json:"phone_number,omitempty"`
	Username       string         `json:"username,omitempty"`
	Name           *Name          `json:"name,omitempty"`
	ExternalUserID string         `json:"external_user_id,omitempty"`
	Language       string         `json:"language,omitempty"`
	CustomData     map[string]any `json:"custom_data,omitempty"`
	GroupIDs       []string       `json:"groupIds,omitempty"`
	CreatedAt      int64          `json:"created_at"`
	UpdatedAt      int64          `json:"updated_at"`
	LastAuth       string         `json:"last_auth,omitempty"`
}

// Users API statuses.
const (
	StatusActive   = "Active"
	StatusDisabled = "Disabled"
	StatusPending  = "Pending"
)

// CreateUser creates a user of the calling application (or links an existing user of the
// tenant whose identifiers all match).
func (c *Client) CreateUser(ctx context.Context, in NewUser) (*User, error) {
	return c.user(ctx, "POST", "/cis/v1/users", in)
}

// GetUser reads a user by id.
func (c *Client) GetUser(ctx context.Context, userID string) (*User, error) {
	return c.user(ctx, "GET", "/cis/v1/users/"+pathEscape(userID), nil)
}

// GetUserByEmail reads a user by their primary email address.
func (c *Client) GetUserByEmail(ctx context.Context, email string) (*User, error) {
	return c.user(ctx, "GET", "/cis/v1/users/email/"+pathEscape(email), nil)
}

// UpdateUser changes a user with Mosaic's merge rules.
func (c *Client) UpdateUser(ctx context.Context, userID string, in UserUpdate) (*User, error) {
	return c.user(ctx, "PUT", "/cis/v1/users/"+pathEscape(userID), in)
}

// DeleteUser removes a user from the calling application; with a management application's
// token it deletes the user from the tenant.
func (c *Client) DeleteUser(ctx context.Context, userID string) error {
	return c.Do(ctx, "DELETE", "/cis/v1/users/"+pathEscape(userID), nil, nil)
}

func (c *Client) user(ctx context.Context, method, path string, in any) (*User, error) {
	var out result[User]
	if err := c.Do(ctx, method, path, in, &out); err != nil {
		return nil, err
	}
	return &out.Result, nil
}

// UserSearch selects users. Search is a SCIM filter such as `email sw "ada"`.
type UserSearch struct {
	Search    string
	SortField string
	SortOrder string
	Offset    int
	Limit     int
}

// UserPage is one page of a search.
type UserPage struct {
	Users      []User `json:"result"`
	TotalCount int    `json:"total_count"`
	PageInfo   struct {
		HasNextPage     bool `json:"has_next_page"`
		HasPreviousPage bool `json:"has_previous_page"`
	} `json:"page_info"`
}

// SearchUsers lists the users a search matches.
func (c *Client) SearchUsers(ctx context.Context, in UserSearch) (*UserPage, error) {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("search", in.Search)
	set("sort_field", in.SortField)
	set("sort_order", in.SortOrder)
	if in.Offset > 0 {
		q.Set("page_offset", strconv.Itoa(in.Offset))
	}
	if in.Limit > 0 {
		q.Set("page_limit", strconv.Itoa(in.Limit))
	}
	path := "/cis/v1/users"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out UserPage
	if err := c.Do(ctx, "GET", path, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PasswordRegistration registers a first password for an existing user.
type PasswordRegistration struct {
	Password          string `json:"password"`
	ForceReplace      *bool  `json:"force_replace,omitempty"`
	Username          string `json:"username,omitempty"`
	EnforceComplexity *bool  `json:"enforce_complexity,omitempty"`
}

// RegisterPassword gives an existing user their first password.
func (c *Client) RegisterPassword(ctx context.Context, userID string, in PasswordRegistration) error {
	return c.Do(ctx, "POST", "/cis/v1/users/"+pathEscape(userID)+"/password", in, nil)
}

// Bool returns a pointer to b, for the optional flags of requests.
func Bool(b bool) *bool { return &b }

// String returns a pointer to s, for the optional fields of updates.
func String(s string) *string { return &s }
