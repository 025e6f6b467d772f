// Package archtest holds no code: its test enforces the import arrows of docs/architecture.md,
// so that the layering is checked on every test run rather than only drawn in a diagram.
package archtest
