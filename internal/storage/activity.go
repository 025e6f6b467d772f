package storage

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// Activity reads a tenant's recent activity for the admin portal's overview. Each read is
// bounded: the audit counts by a time window on an index led by tenant and type, the lockouts
// by those in force, and the backlog by the messages still owed (a partial index keeps them
// apart from the delivered ones the outbox retains).
type Activity interface {
	// CountAudit counts the tenant's audit events of types created at or after since, by type
	// and method, ordered by type then method.
	CountAudit(ctx context.Context, tenantID string, types []string, since time.Time) ([]model.AuditCount, error)
	// ListActiveLockouts returns up to limit of the tenant's lockouts in force at now (Until
	// after now), the one ending last first, and how many are in force in all.
	ListActiveLockouts(ctx context.Context, tenantID string, now time.Time, limit int) ([]model.Lockout, int, error)
	// TenantOutboxBacklog reports the tenant's owed messages: undelivered and not given up
	// (NextAttemptAt before NeverDue).
	TenantOutboxBacklog(ctx context.Context, tenantID string) (model.Backlog, error)
}
