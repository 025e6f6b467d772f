package totp_test

import (
	"encoding/json"
	"testing"

	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/model"
)

// Under enumeration protection a transaction start for a name that is nobody's, or for a user
// without an authenticator, answers like a real one and does the same database work.
func TestTOTPTransactionStartAnswersAlike(t *testing.T) {
	f := newTOTPFixture(t)
	f.UpdateApp(func(a *model.Application) { a.EnumerationProtection = true })
	ada := f.User("ada@example.com", "")
	f.EnrolConfirmedTOTP(ada.ID)
	f.User("bob@example.com", "") // no authenticator
	approval := json.RawMessage(`{"sum":"200"}`)
	start := func(email string) (int64, int64, totp.TOTPTransaction) {
		var out totp.TOTPTransaction
		st, tx, err := f.Work(func() error {
			var err error
			out, err = f.TOTP.StartTransaction(f.Ctx, f.Caller, totp.TOTPTransactionStart{
				ApprovalData: approval, IdentifierType: "email", Identifier: email,
			})
			return err
		})
		if err != nil {
			t.Fatalf("start for %s: %v", email, err)
		}
		return st, tx, out
	}
	// Warm the stand-in choice, then compare.
	start("nobody@example.com")
	rs, rt, real := start("ada@example.com")
	for _, email := range []string{"nobody@example.com", "bob@example.com"} {
		ds, dt, decoy := start(email)
		if ds != rs || dt != rt {
			t.Errorf("start for %s: %d statements in %d transactions, a real one %d in %d", email, ds, dt, rs, rt)
		}
		if len(decoy.Challenge) != len(real.Challenge) || string(decoy.ApprovalData) != string(real.ApprovalData) {
			t.Errorf("start for %s answered %+v, a real one %+v", email, decoy, real)
		}
	}
}
