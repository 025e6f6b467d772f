// Package authtest holds the test fixture that the login method packages share: the core
// authentication service over a real SQLite (or PostgreSQL) store with a bootstrapped tenant,
// a clock the test moves, and helpers to create users, change the application, read queued
// messages and check answers. It is imported by tests only.
package authtest
