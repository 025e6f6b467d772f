package model

// Password audit event types.
const (
	// EventPasswordChanged records a password set, changed or reset; Method says how:
	// "register", "admin_reset", "change" or "reset".
	EventPasswordChanged = "password.changed"
)
