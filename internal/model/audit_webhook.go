package model

// EventWebhookDropped records that a tenant changed or removed its audit webhook while events
// were still queued for the old one, and that they were dropped; details.dropped counts them.
const EventWebhookDropped = "audit.webhook_events_dropped"
