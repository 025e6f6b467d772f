package model

// Caller is who is calling the API, as established from a bearer token. Every domain call takes
// one, and every query it makes is scoped by the caller's tenant.
type Caller struct {
	TenantID string
	AppID    string
	ClientID string
	// Admin is set for management applications' clients: they act on the whole tenant.
	Admin bool
	// Permissions are what the client's roles grant (package clientroles), sorted; empty for
	// an admin caller, which needs none.
	Permissions []string
}
