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
	// Client is the client as read from the database when this call was authenticated, or
	// nil. A login issues its tokens from it rather than reading the client again: the epoch
	// it carries is at most a request old, and a rotation after the read ends the tokens at
	// their first use, as it ends every token issued before it.
	Client *Client
}
