//go:build linux

package auth

import (
	"syscall"
	"time"
)

// sleepPrecisely sleeps d in the kernel, resuming after the signals Go's scheduler sends.
func sleepPrecisely(d time.Duration) bool {
	ts := syscall.NsecToTimespec(int64(d))
	for {
		var rest syscall.Timespec
		err := syscall.Nanosleep(&ts, &rest)
		if err != syscall.EINTR {
			return err == nil
		}
		ts = rest
	}
}
