// Package config reads Latchkey's settings: defaults, then LATCHKEY_* environment variables,
// then command-line flags, then one validation that reports every problem at once. Only
// cmd/latchkey imports it; the services it configures take plain option structs.
package config
