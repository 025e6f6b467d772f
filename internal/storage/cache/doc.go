// Package cache keeps a node's short-lived copy of the records that nearly every request
// reads and that admins rarely change: tenants, applications and clients. It wraps any
// storage.Store and passes everything else through.
//
// Nodes share nothing but the database, so a change made through another node reaches this
// one when its copy expires (the TTL, a few seconds); a change made through this node clears
// the copy at once, and again after its transaction ends, so that a read racing the write
// cannot keep the old record for longer than the TTL either.
package cache
