package storage

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// AdminPortal stores the admin portal's settings and invitations of administrators.
type AdminPortal interface {
	// GetAdminSettings returns a tenant's portal settings, or ErrNotFound when none were saved.
	GetAdminSettings(ctx context.Context, tenantID string) (model.AdminSettings, error)
	// PutAdminSettings creates or replaces a tenant's portal settings.
	PutAdminSettings(ctx context.Context, s model.AdminSettings) error

	CreateAdminInvite(ctx context.Context, inv model.AdminInvite) error
	GetAdminInvite(ctx context.Context, tenantID, id string) (model.AdminInvite, error)
	// ListAdminInvites returns a tenant's invitations, newest first, ended ones included.
	ListAdminInvites(ctx context.Context, tenantID string) ([]model.AdminInvite, error)
	// AcceptAdminInvite marks an open invitation (not accepted, revoked or expired at now)
	// accepted by userID, in one statement, and reports whether it did: of concurrent
	// acceptances exactly one gets true.
	AcceptAdminInvite(ctx context.Context, tenantID, id, userID string, now time.Time) (bool, error)
	// RevokeAdminInvite marks an invitation that is neither accepted nor revoked as revoked,
	// and reports whether it did.
	RevokeAdminInvite(ctx context.Context, tenantID, id string, now time.Time) (bool, error)

	// Operator links belong to the deployment, not to a tenant.
	CreateOperatorLink(ctx context.Context, l model.OperatorLink) error
	GetOperatorLink(ctx context.Context, id string) (model.OperatorLink, error)
	// RedeemOperatorLink marks a link neither redeemed, ended nor expired at now as redeemed,
	// in one statement, and reports whether it did.
	RedeemOperatorLink(ctx context.Context, id string, now time.Time) (bool, error)
	// EndOperatorLinks ends every link not ended yet (sign-out of every operator session, or
	// a new link replacing the old ones) and returns how many.
	EndOperatorLinks(ctx context.Context, now time.Time) (int64, error)
}
