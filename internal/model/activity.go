package model

import "time"

// AuditCount is how many of a tenant's audit events of one type and method a time window
// holds: the overview's logins per method and failures.
type AuditCount struct {
	Type   string
	Method string
	Count  int
}

// Backlog is what a tenant's outbox still owes: messages neither delivered nor given up.
type Backlog struct {
	// Owed counts the messages still to deliver; Retrying those of them that failed at least
	// once.
	Owed, Retrying int
	// Oldest is when the oldest owed message was queued; zero when none is.
	Oldest time.Time
}
