package model

import (
	"encoding/json"
	"time"
)

// Group is a named set of a tenant's users, with free-form data the tenant attaches to it.
// Names are unique within a tenant.
type Group struct {
	ID          string
	TenantID    string
	Name        string
	Description string
	CustomData  json.RawMessage // a JSON object, or nil
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
