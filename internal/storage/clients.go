package storage

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
)

// Clients stores clients. Client ids are unique across the deployment, so GetClient needs no
// tenant: it is how the token endpoint finds who is authenticating.
type Clients interface {
	CreateClient(ctx context.Context, c model.Client) error
	GetClient(ctx context.Context, id string) (model.Client, error)
	// ClientStamp returns the client's stamp (model.Client.Stamp), which every change of the
	// client replaces: a copy of the client read at the same stamp is the client as it is now.
	// ErrNotFound when there is no such client.
	ClientStamp(ctx context.Context, id string) (int64, error)
	// ListClients returns an application's clients oldest first, those created at the same
	// time in the order they were created: the first is the application's default client.
	ListClients(ctx context.Context, tenantID, appID string) ([]model.Client, error)
	UpdateClient(ctx context.Context, tenantID, id string, updater func(model.Client) (model.Client, error)) error
	DeleteClient(ctx context.Context, tenantID, id string) error
}
