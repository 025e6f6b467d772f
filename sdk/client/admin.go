package client

import "context"

// The administration API: applications, resources, roles and signing keys. Creating and
// deleting applications, resources and signing keys take a management application's client;
// an application's own client may read and change its application.

// NewApplication is an application to create.
type NewApplication struct {
	AppName               string   `json:"app_name"`
	AppDescription        string   `json:"app_description,omitempty"`
	RedirectURIs          []string `json:"redirect_uris,omitempty"`
	AllowPublicSignup     *bool    `json:"allow_public_signup,omitempty"`
	EnumerationProtection *bool    `json:"enumeration_protection,omitempty"`
	// Resources are the ids of the resources the default client may ask tokens for.
	Resources []string `json:"resources,omitempty"`
}

// ApplicationUpdate changes an application; nil fields stay as they are.
type ApplicationUpdate struct {
	AppName               *string   `json:"app_name,omitempty"`
	AppDescription        *string   `json:"app_description,omitempty"`
	RedirectURIs          *[]string `json:"redirect_uris,omitempty"`
	AllowPublicSignup     *bool     `json:"allow_public_signup,omitempty"`
	EnumerationProtection *bool     `json:"enumeration_protection,omitempty"`
}

// Application is an application with its default client. ClientSecret is set only in the
// answer to a creation: the server keeps no copy it could show again.
type Application struct {
	AppID                 string   `json:"app_id"`
	TenantID              string   `json:"tenant_id"`
	AppName               string   `json:"app_name"`
	AppDescription        string   `json:"app_description"`
	Kind                  string   `json:"kind"`
	ClientID              string   `json:"client_id"`
	ClientSecret          string   `json:"client_secret,omitempty"`
	RedirectURIs          []string `json:"redirect_uris"`
	Resources             []string `json:"resources"`
	AllowPublicSignup     bool     `json:"allow_public_signup"`
	EnumerationProtection bool     `json:"enumeration_protection"`
}

// CreateApplication creates an application and its default client.
func (c *Client) CreateApplication(ctx context.Context, in NewApplication) (*Application, error) {
	return c.application(ctx, "POST", "/cis/v1/applications", in)
}

// GetApplication reads an application.
func (c *Client) GetApplication(ctx context.Context, appID string) (*Application, error) {
	return c.application(ctx, "GET", "/cis/v1/applications/"+pathEscape(appID), nil)
}

// UpdateApplication changes an application.
func (c *Client) UpdateApplication(ctx context.Context, appID string, in ApplicationUpdate) (*Application, error) {
	return c.application(ctx, "PUT", "/cis/v1/applications/"+pathEscape(appID), in)
}

// DeleteApplication deletes an application, its clients and its users' links to it.
func (c *Client) DeleteApplication(ctx context.Context, appID string) error {
	return c.Do(ctx, "DELETE", "/cis/v1/applications/"+pathEscape(appID), nil, nil)
}

// SetApplicationResources sets the resources the application's default client may ask
// tokens for (the complete list).
func (c *Client) SetApplicationResources(ctx context.Context, appID string, resourceIDs []string) (*Application, error) {
	if resourceIDs == nil {
		resourceIDs = []string{}
	}
	return c.application(ctx, "PUT", "/cis/v1/applications/"+pathEscape(appID)+"/resources", map[string][]string{"resource_ids": resourceIDs})
}

func (c *Client) application(ctx context.Context, method, path string, in any) (*Application, error) {
	var out result[Application]
	if err := c.Do(ctx, method, path, in, &out); err != nil {
		return nil, err
	}
	return &out.Result, nil
}

// NewResource is a resource (an API the tenant's access tokens may be issued for) to create.
// The lifetimes are seconds; 0 leaves them to the client and the deployment.
type NewResource struct {
	URI              string `json:"uri"`
	Name             string `json:"name,omitempty"`
	Description      string `json:"description,omitempty"`
	AccessTokenTTL   int    `json:"access_token_ttl,omitempty"`
	RefreshTokenTTL  int    `json:"refresh_token_ttl,omitempty"`
	MaxRefreshRotate int    `json:"max_refresh_rotate,omitempty"`
}

// Resource is a stored resource.
type Resource struct {
	ResourceID       string `json:"resource_id"`
	TenantID         string `json:"tenant_id"`
	URI              string `json:"uri"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	AccessTokenTTL   int    `json:"access_token_ttl"`
	RefreshTokenTTL  int    `json:"refresh_token_ttl"`
	MaxRefreshRotate int    `json:"max_refresh_rotate"`
}

// CreateResource creates a resource.
func (c *Client) CreateResource(ctx context.Context, in NewResource) (*Resource, error) {
	var out result[Resource]
	if err := c.Do(ctx, "POST", "/cis/v1/resources", in, &out); err != nil {
		return nil, err
	}
	return &out.Result, nil
}

// NewRole is an application role to create.
type NewRole struct {
	RoleName    string   `json:"role_name"`
	DisplayName string   `json:"display_name,omitempty"`
	Description string   `json:"description,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
}

// Role is an application role.
type Role struct {
	RoleID      string   `json:"role_id"`
	RoleName    string   `json:"role_name"`
	DisplayName string   `json:"display_name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
	AppID       string   `json:"app_id"`
}

// CreateRole creates a role of an application.
func (c *Client) CreateRole(ctx context.Context, appID string, in NewRole) (*Role, error) {
	var out result[Role]
	if err := c.Do(ctx, "POST", "/cis/v1/applications/"+pathEscape(appID)+"/roles", in, &out); err != nil {
		return nil, err
	}
	return &out.Result, nil
}

// AssignRole gives a role to users of the tenant: all of them, or none when one is unknown.
func (c *Client) AssignRole(ctx context.Context, appID, roleID string, userIDs ...string) error {
	body := map[string]any{"entity_ids": userIDs, "entity_type": "User"}
	return c.Do(ctx, "POST", "/cis/v1/applications/"+pathEscape(appID)+"/roles/"+pathEscape(roleID)+"/assignments", body, nil)
}

// Signing key statuses.
const (
	KeySigning    = "signing"
	KeyValidating = "validating"
	KeyDisabled   = "disabled"
)

// SigningKey is one of the tenant's signing keys (or one of the deployment's, source "global").
type SigningKey struct {
	ID        string `json:"id"`
	KID       string `json:"kid"`
	TenantID  string `json:"tenant_id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Source    string `json:"source"`
	Algorithm string `json:"algorithm"`
}

// CreateSigningKey generates a key for the tenant. It starts validating: published in the
// JWKS, signing nothing, so that resource servers can learn it before it signs.
func (c *Client) CreateSigningKey(ctx context.Context, name string) (*SigningKey, error) {
	var out SigningKey
	if err := c.Do(ctx, "POST", "/cis/v1/applications/signing-keys", map[string]string{"name": name}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetSigningKeyStatus changes a key's status; KeySigning makes it sign the tenant's tokens.
func (c *Client) SetSigningKeyStatus(ctx context.Context, id, status string) (*SigningKey, error) {
	var out SigningKey
	if err := c.Do(ctx, "PUT", "/cis/v1/applications/signing-keys/"+pathEscape(id), map[string]string{"status": status}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
