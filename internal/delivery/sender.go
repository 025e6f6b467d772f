package delivery

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/model"
)

// Sender delivers one outbox message through one transport. Send must honour ctx's deadline
// and be safe for concurrent use. An error wrapped with Permanent means that retrying cannot
// help; any other error is retried.
type Sender interface {
	Send(ctx context.Context, m model.OutboxMessage) error
}

// permanentError marks an error that no retry can fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that retrying cannot fix, such as a recipient the mail server
// rejected with a 5xx reply. The worker abandons a message whose send fails with it. Permanent
// returns nil for a nil err.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
