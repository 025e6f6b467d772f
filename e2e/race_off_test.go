//go:build !race

package e2e

// raceEnabled is false in ordinary test runs; see race_on_test.go.
const raceEnabled = false
