package smtp

import (
	"context"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/latchkey/latchkey/internal/delivery"
)

// classify wraps a send error, marking it permanent when the server refused the message itself
// with a 5xx reply, or when the message could not be written at all.
func classify(ctx context.Context, err error) error {
	if ctxErr(ctx) != nil {
		return transient(ctx, err)
	}
	var se *gomail.SendError
	if errors.As(err, &se) && permanent(se) {
		return delivery.Permanent(fmt.Errorf("smtp send: %w", err))
	}
	return fmt.Errorf("smtp send: %w", err)
}

func permanent(se *gomail.SendError) bool {
	switch se.Reason {
	case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
		return true // the message is malformed for this server; resending changes nothing
	case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		code := se.ErrorCode()
		return code >= 500 && code < 600
	default:
		return false // connection checks and RSET concern the session, not the message
	}
}

// transient wraps err, naming the context's error first when it ended the send.
func transient(ctx context.Context, err error) error {
	if cerr := ctxErr(ctx); cerr != nil {
		return fmt.Errorf("smtp send: %w: %w", cerr, err)
	}
	return fmt.Errorf("smtp send: %w", err)
}

// ctxErr is ctx.Err(), except that a deadline already past counts even before the context's
// timer has fired: the connection deadline, set to the same instant, may well expire first.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}
