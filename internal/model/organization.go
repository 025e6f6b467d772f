package model

import "time"

// Organization is a tenant's business customer or partner (Mosaic's B2B organizations): users
// log in to it as its members, and only to the applications it may use. Names are unique
// within a tenant.
type Organization struct {
	ID        string
	TenantID  string
	Name      string
	AliasName string
	// Domains are the organization's email domains, lower case, sorted, without duplicates.
	Domains []string
	// AppIDs are the applications its members may log in to, sorted, without duplicates.
	AppIDs    []string
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// HasApp reports whether the organization may use the application.
func (o Organization) HasApp(appID string) bool {
	for _, id := range o.AppIDs {
		if id == appID {
			return true
		}
	}
	return false
}

// Member is a user's membership of an organization. A disabled membership keeps its roles
// but cannot be logged in to; OrgAdmin makes the member an administrator of the organization
// (Mosaic's organizationAdmin role), whose organization logins may manage its members.
type Member struct {
	TenantID  string
	OrgID     string
	UserID    string
	Enabled   bool
	OrgAdmin  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MemberRole gives a member one of an application's roles within the organization.
type MemberRole struct {
	OrgID  string
	AppID  string
	RoleID string
}

// OrgLogin is what a login to an organization reads in one statement: the organization and
// the user's membership of it.
type OrgLogin struct {
	Org    Organization
	Member Member
}

// OrgLogo is an organization's logo image.
type OrgLogo struct {
	ContentType string // image/png or image/jpeg, decided from the bytes
	Data        []byte
	UpdatedAt   time.Time
}
