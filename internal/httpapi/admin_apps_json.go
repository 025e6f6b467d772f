package httpapi

import (
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// adminResult wraps a record or a list as Mosaic does: {"result": ...}.
type adminResult[T any] struct {
	Result T `json:"result"`
}

// adminTime writes a time as Mosaic's administration API does: an RFC 3339 date-time in UTC,
// to the millisecond.
func adminTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// authenticatorJSON is Mosaic's authenticator_preferences object.
type authenticatorJSON struct {
	IsCentralized bool   `json:"is_centralized"`
	LoginURI      string `json:"login_uri"`
}

// appRequest is the body of POST and PUT /cis/v1/applications[/{appId}], Mosaic's
// ApiCreateAppInput and ApiUpdateAppInput with Latchkey's kind and enumeration_protection.
// Absent and null fields are left unchanged on PUT and take their defaults on POST. The
// client_* fields and resources are the default client's, as in Mosaic.
type appRequest struct {
	AppName                  *string            `json:"app_name"`
	AppDescription           *string            `json:"app_description"`
	Kind                     *string            `json:"kind"`
	RedirectURIs             *[]string          `json:"redirect_uris"`
	AllowPublicSignup        *bool              `json:"allow_public_signup"`
	EnumerationProtection    *bool              `json:"enumeration_protection"`
	Logo                     *string            `json:"logo"`
	ServiceProviders         *[]string          `json:"service_providers"`
	AuthenticatorPreferences *authenticatorJSON `json:"authenticator_preferences"`
	LoginURI                 *string            `json:"login_uri"`
	ClientDisplayName        *string            `json:"client_display_name"`
	ClientDescription        *string            `json:"client_description"`
	ClientType               *string            `json:"client_type"`
	Resources                *[]string          `json:"resources"`
	FirstClient              *firstClientJSON   `json:"first_client"`
}

// firstClientJSON is Mosaic's first_client of a new application. Latchkey reads its role_ids,
// the client roles of the application's first client; its other fields are accepted and not
// acted on (the first client is made from the application's client_* fields).
type firstClientJSON struct {
	RoleIDs *[]string `json:"role_ids"`
}

func (req appRequest) input() tenancy.ApplicationInput {
	in := tenancy.ApplicationInput{
		Name:                  req.AppName,
		Kind:                  req.Kind,
		Description:           req.AppDescription,
		RedirectURIs:          req.RedirectURIs,
		AllowPublicSignup:     req.AllowPublicSignup,
		EnumerationProtection: req.EnumerationProtection,
		Logo:                  req.Logo,
		ServiceProviders:      req.ServiceProviders,
		LoginURI:              req.LoginURI,
		ClientDisplayName:     req.ClientDisplayName,
		ClientDescription:     req.ClientDescription,
		ClientType:            req.ClientType,
		ResourceIDs:           req.Resources,
	}
	if req.FirstClient != nil {
		in.FirstClientRoleIDs = req.FirstClient.RoleIDs
	}
	if a := req.AuthenticatorPreferences; a != nil {
		in.Authenticator = &model.AuthenticatorPreferences{IsCentralized: a.IsCentralized, LoginURI: a.LoginURI}
	}
	return in
}

// appJSON is an application in Mosaic's shape (ApiApp) with its login preferences, the
// default client's fields, and Latchkey's kind and enumeration_protection. Logo is left out
// of lists, as Mosaic's ApiAppWithoutLogo does.
type appJSON struct {
	AppID                    string            `json:"app_id"`
	TenantID                 string            `json:"tenant_id"`
	AppName                  string            `json:"app_name"`
	AppDescription           string            `json:"app_description"`
	Logo                     *string           `json:"logo,omitempty"`
	ClientID                 *string           `json:"client_id,omitempty"`
	ClientDisplayName        *string           `json:"client_display_name,omitempty"`
	ClientDescription        *string           `json:"client_description,omitempty"`
	ClientType               *string           `json:"client_type,omitempty"`
	RedirectURIs             []string          `json:"redirect_uris"`
	Resources                []string          `json:"resources"`
	LoginPreferences         preferencesJSON   `json:"login_preferences"`
	CreatedAt                string            `json:"created_at"`
	CreatedBy                string            `json:"created_by"`
	UpdatedAt                string            `json:"updated_at"`
	ServiceProviders         []string          `json:"service_providers"`
	AuthenticatorPreferences authenticatorJSON `json:"authenticator_preferences"`
	AllowPublicSignup        bool              `json:"allow_public_signup"`
	LoginURI                 string            `json:"login_uri,omitempty"`
	Kind                     string            `json:"kind"`
	EnumerationProtection    bool              `json:"enumeration_protection"`
}

// createdAppJSON is a new application with its default client's secret, shown this once.
type createdAppJSON struct {
	appJSON
	ClientSecret string `json:"client_secret"`
}

// basicAppJSON is Mosaic's ApiBasicApp, of GET /cis/v1/applications/list.
type basicAppJSON struct {
	AppID          string `json:"app_id"`
	TenantID       string `json:"tenant_id"`
	AppName        string `json:"app_name"`
	AppDescription string `json:"app_description"`
	LoginURI       string `json:"login_uri,omitempty"`
}

func toAppJSON(v tenancy.AppView) appJSON {
	a := v.Application
	logo := a.Logo
	out := appJSON{
		AppID:            a.ID,
		TenantID:         a.TenantID,
		AppName:          a.Name,
		AppDescription:   a.Description,
		Logo:             &logo,
		RedirectURIs:     nonNil(a.RedirectURIs),
		Resources:        []string{},
		LoginPreferences: toPreferencesJSON(a.Preferences.Normalized()),
		CreatedAt:        adminTime(a.CreatedAt),
		CreatedBy:        a.CreatedBy,
		UpdatedAt:        adminTime(a.UpdatedAt),
		ServiceProviders: nonNil(a.Profile.ServiceProviders),
		AuthenticatorPreferences: authenticatorJSON{
			IsCentralized: a.Profile.Authenticator.IsCentralized,
			LoginURI:      a.Profile.Authenticator.LoginURI,
		},
		AllowPublicSignup:     a.AllowPublicSignup,
		LoginURI:              a.Profile.LoginURI,
		Kind:                  a.Kind,
		EnumerationProtection: a.EnumerationProtection,
	}
	if d := v.Default; d != nil {
		typ := clientType(*d)
		out.ClientID, out.ClientDisplayName, out.ClientDescription, out.ClientType = &d.ID, &d.Name, &d.Description, &typ
		out.Resources = nonNil(d.ResourceIDs)
	}
	return out
}

// toListedAppJSON is toAppJSON without the logo.
func toListedAppJSON(v tenancy.AppView) appJSON {
	out := toAppJSON(v)
	out.Logo = nil
	return out
}

func toBasicAppJSON(v tenancy.AppView) basicAppJSON {
	return basicAppJSON{AppID: v.ID, TenantID: v.TenantID, AppName: v.Name, AppDescription: v.Description, LoginURI: v.Profile.LoginURI}
}

// preferencesJSON is Mosaic's login preferences object. Each method's settings use Mosaic's
// camelCase names, as model.LoginPreferences encodes them. not_implemented, Latchkey's own,
// names the methods among auth_methods whose settings are kept but that no login flow of
// Latchkey implements.
type preferencesJSON struct {
	AuthMethods    model.LoginPreferences `json:"auth_methods"`
	NotImplemented []string               `json:"not_implemented"`
}

func toPreferencesJSON(p model.LoginPreferences) preferencesJSON {
	return preferencesJSON{AuthMethods: p, NotImplemented: p.UnimplementedSet()}
}

// nonNil makes an absent list encode as [] rather than null.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
