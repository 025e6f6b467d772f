//go:build race

package e2e

// raceEnabled is true when the tests run under the race detector; the latchkey binary that the
// process tests start is then built with it too, so a data race inside a server fails the test
// that drove it.
const raceEnabled = true
