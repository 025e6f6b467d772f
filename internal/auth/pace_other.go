//go:build !linux

package auth

import "time"

// sleepPrecisely is Linux's; elsewhere the grid's wait falls back to a timer.
func sleepPrecisely(time.Duration) bool { return false }
