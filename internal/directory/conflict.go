package directory

import (
	"context"
	"errors"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// claim is one unique identifier a user holds or asks for.
type claim struct {
	field string // a storage.UserBy* constant
	value string
}

// claims lists the unique identifiers set on u, in a fixed order.
func claims(u model.User) []claim {
	var out []claim
	for _, c := range []claim{
		{storage.UserByEmail, u.Email},
		{storage.UserByPhone, u.PhoneNumber},
		{storage.UserByUsername, u.Username},
		{storage.UserByExternalUserID, u.ExternalUserID},
	} {
		if c.value != "" {
			out = append(out, c)
		}
	}
	return out
}

// owners returns, for each of cs held by a user of the tenant other than selfID, that user.
// The fields come back in the order of cs.
func owners(ctx context.Context, st storage.Store, tenantID, selfID string, cs []claim) ([]string, map[string]model.User, error) {
	var fields []string
	found := map[string]model.User{}
	for _, c := range cs {
		u, err := st.GetUserBy(ctx, tenantID, c.field, c.value)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, fault.Wrap(err, "look up "+c.field)
		}
		if u.ID != selfID {
			fields = append(fields, c.field)
			found[c.field] = u
		}
	}
	return fields, found, nil
}

// errTaken is the 409 for identifiers held by another user; it names them all.
func errTaken(fields ...string) error {
	what := strings.Join(fields, ", ")
	if n := len(fields); n > 1 {
		what = strings.Join(fields[:n-1], ", ") + " and " + fields[n-1]
	}
	return fault.New(fault.Conflict, fault.CodeUserExists, "another user already has this %s", what)
}

// storeError maps an error from a create or update: a unique collision (a race the lookups did
// not see) becomes errTaken, a fault passes through, anything else is internal.
func storeError(err error, what string) error {
	var dup *storage.DuplicateError
	var fe *fault.Error
	switch {
	case errors.As(err, &dup):
		return fault.As(errTaken(dup.Field)).With(err)
	case errors.Is(err, storage.ErrAlreadyExists):
		return fault.New(fault.Conflict, fault.CodeUserExists, "the user already exists").With(err)
	case errors.Is(err, storage.ErrNotFound):
		return errUserNotFound.With(err)
	case errors.As(err, &fe):
		return fe
	}
	return fault.Wrap(err, what)
}
