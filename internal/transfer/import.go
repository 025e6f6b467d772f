package transfer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/sealing"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// maxLine bounds one line of an import: a user with many passkeys, whose attestations are a
// few kilobytes each, stays far below it.
const maxLine = 8 << 20

// ImportOptions changes how Import treats what it cannot carry over.
type ImportOptions struct {
	// DropRecoveryCodes leaves out recovery codes hashed under another master key (they could
	// never match here) instead of refusing the import; their users generate new ones.
	DropRecoveryCodes bool
}

// ImportResult counts what an import stored.
type ImportResult struct {
	Users, Links, Credentials int
	// DroppedRecoveryCodes counts recovery codes left out under DropRecoveryCodes.
	DroppedRecoveryCodes int
}

// LineError is a problem with one line of an import; nothing was imported.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Import reads Records from r and stores their users in a tenant, with their application links
// and credentials, in one transaction: it checks every line first, and any problem (a line
// that does not decode, an application the tenant lacks, a user whose id or identifier is
// taken) is returned as a *LineError and stores nothing. A user already present is refused,
// not merged or replaced, so an import is run once; a second run of the same file fails on
// its first line and changes nothing.
//
// keys is the target's master key: TOTP keys are sealed under it, bound to the target tenant.
func Import(ctx context.Context, st storage.Store, keys *secret.Keys, tenantID string, r io.Reader, opts ImportOptions) (ImportResult, error) {
	recs, err := readRecords(r)
	if err != nil {
		return ImportResult{}, err
	}
	apps, err := st.ListApplications(ctx, tenantID)
	if err != nil {
		return ImportResult{}, fmt.Errorf("list applications: %w", err)
	}
	p := planner{apps: apps, keyCheck: RecoveryKeyCheck(keys), opts: opts, seen: map[string]int{}}
	plans := make([]plan, len(recs))
	for i, rec := range recs {
		if plans[i], err = p.plan(tenantID, rec.rec); err != nil {
			return ImportResult{}, &LineError{Line: rec.line, Err: err}
		}
		if err := p.claim(rec.line, rec.rec); err != nil {
			return ImportResult{}, &LineError{Line: rec.line, Err: err}
		}
	}
	var res ImportResult
	err = st.InTx(ctx, func(tx storage.Store) error {
		res = ImportResult{}
		for i, pl := range plans {
			if err := store(ctx, tx, keys, pl, &res); err != nil {
				return &LineError{Line: recs[i].line, Err: err}
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	res.DroppedRecoveryCodes = p.dropped
	return res, nil
}

type numbered struct {
	line int
	rec  Record
}

// readRecords decodes every non-blank line, refusing unknown fields: a field this version does
// not know would otherwise be dropped without a word.
func readRecords(r io.Reader) ([]numbered, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var out []numbered
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		var rec Record
		if err := dec.Decode(&rec); err != nil {
			return nil, &LineError{Line: line, Err: fmt.Errorf("not a user record: %w", err)}
		}
		if dec.More() {
			return nil, &LineError{Line: line, Err: errors.New("more than one JSON value on the line")}
		}
		out = append(out, numbered{line: line, rec: rec})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &LineError{Line: len(out) + 1, Err: fmt.Errorf("a line is longer than %d bytes", maxLine)}
		}
		return nil, fmt.Errorf("read: %w", err)
	}
	return out, nil
}

// store writes one planned user in the import's transaction.
func store(ctx context.Context, tx storage.Store, keys *secret.Keys, pl plan, res *ImportResult) error {
	if err := tx.CreateUser(ctx, pl.user); err != nil {
		return describeStoreError("user "+pl.user.ID, err)
	}
	res.Users++
	for _, l := range pl.links {
		if err := tx.LinkUser(ctx, l); err != nil {
			return fmt.Errorf("link to application %s: %w", l.AppID, err)
		}
		res.Links++
	}
	for _, c := range pl.creds {
		if c.Type == model.CredentialTOTP {
			sealed, err := keys.Seal(c.Secret, sealing.TOTPAD(c.TenantID, c.ID))
			if err != nil {
				return fmt.Errorf("seal TOTP key %s: %w", c.ID, err)
			}
			c.Secret = sealed
		}
		// The operator's import is a management caller's write, made through the application
		// the credential was first added through, which the grant records on it.
		grant, err := directory.AllowCredential(ctx, tx, model.Caller{TenantID: c.TenantID, AppID: c.AppID, Admin: true}, c.UserID, directory.ByCaller)
		if err != nil {
			return err
		}
		if err := grant.Create(ctx, tx, c); err != nil {
			return describeStoreError(c.Type+" credential "+c.ID, err)
		}
		res.Credentials++
	}
	return nil
}

// describeStoreError says which value collided, in words an operator can act on.
func describeStoreError(what string, err error) error {
	var dup *storage.DuplicateError
	switch {
	case errors.As(err, &dup) && dup.Field != "" && dup.Field != "id":
		return fmt.Errorf("%s: the tenant already has one with this %s (users are imported once; remove the line or the existing user)", what, dup.Field)
	case errors.Is(err, storage.ErrAlreadyExists):
		return fmt.Errorf("%s: its id is already taken in this deployment (users are imported once, and keep their ids)", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}
