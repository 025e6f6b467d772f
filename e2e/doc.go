// Package e2e holds Latchkey's black-box tests: whole servers over HTTP, on SQLite always and on
// PostgreSQL when LATCHKEY_TEST_POSTGRES_DSN is set, checked against the published OpenAPI
// document and with independent OIDC libraries.
package e2e
