package sqlstore

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
)

// ListUserCredentials returns the credentials of type typ that any of userIDs has, in
// batches of appUserBatch users per statement.
func (s *Store) ListUserCredentials(ctx context.Context, tenantID, typ string, userIDs []string) ([]model.Credential, error) {
	query := "SELECT " + credentialCols + " FROM credentials WHERE tenant_id = ? AND type = ? AND user_id IN (" +
		placeholders(appUserBatch) + ")"
	out := []model.Credential{}
	for _, ids := range idBatches(userIDs) {
		creds, err := getAll(ctx, s.reader(), "list user credentials", scanCredential, query, append([]any{tenantID, typ}, ids...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, creds...)
	}
	return out, nil
}

// ListLoginMethods returns, for each of userIDs and each method they have signed in with, the
// first and last successful logins the audit log records, in batches of appUserBatch users.
func (s *Store) ListLoginMethods(ctx context.Context, tenantID string, userIDs []string) ([]model.LoginMethodUse, error) {
	query := loginMethodsQuery()
	scan := func(sc scanner) (model.LoginMethodUse, error) {
		var u model.LoginMethodUse
		var first, last int64
		err := sc.Scan(&u.UserID, &u.Method, &first, &last)
		u.First, u.Last = fromMillis(first), fromMillis(last)
		return u, err
	}
	out := []model.LoginMethodUse{}
	for _, ids := range idBatches(userIDs) {
		uses, err := getAll(ctx, s.reader(), "list login methods", scan, query,
			append([]any{tenantID, model.EventLoginSucceeded}, ids...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, uses...)
	}
	return out, nil
}

// loginMethodsQuery reads the logins of a batch of users.
func loginMethodsQuery() string {
	return "SELECT user_id, method, MIN(created_at), MAX(created_at) FROM audit_events " +
		"WHERE tenant_id = ? AND type = ? AND user_id IN (" + placeholders(appUserBatch) + ") GROUP BY user_id, method"
}

// idBatches splits ids into batches of exactly appUserBatch arguments, the last padded with
// an id no record has, so that one prepared statement serves every size.
func idBatches(ids []string) [][]any {
	var out [][]any
	for start := 0; start < len(ids); start += appUserBatch {
		batch := make([]any, appUserBatch)
		for i := range batch {
			batch[i] = ""
			if start+i < len(ids) {
				batch[i] = ids[start+i]
			}
		}
		out = append(out, batch)
	}
	return out
}
