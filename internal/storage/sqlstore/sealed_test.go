package sqlstore

import (
	"slices"
	"testing"
)

// hashColumns are the binary columns that hold keyed hashes or public data, not sealed values:
// resealing has nothing to do with them.
var hashColumns = []string{
	"clients.secret_hash", "signing_keys.public_jwk", "codes.code_hash",
	"refresh_tokens.token_hash", "counters.key_hash", "cross_device_tickets.ticket_hash", "admin_invites.token_hash", "operator_links.token_hash",
	"org_logos.data", // an organization's logo: an image meant to be shown
}

// TestEveryBinaryColumnIsSealedOrAHash keeps ResealAll complete: a new binary column must be
// listed either in sealedColumns, so that `latchkey keys reseal` moves it to a new master key,
// or in hashColumns above.
func TestEveryBinaryColumnIsSealedOrAHash(t *testing.T) {
	s := NewTestStore(t, false)
	rows, err := s.reader().query(testContext(t),
		"SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "+
			"WHERE m.type = 'table' AND p.type = 'BLOB' ORDER BY 1, 2")
	mustDo(t, err, "list binary columns")
	defer rows.Close()
	var found []string
	for rows.Next() {
		var table, column string
		mustDo(t, rows.Scan(&table, &column), "scan")
		found = append(found, table+"."+column)
	}
	mustDo(t, rows.Err(), "rows")
	known := slices.Clone(hashColumns)
	for _, c := range sealedColumns {
		known = append(known, c.table+"."+c.column)
	}
	for _, col := range found {
		if !slices.Contains(known, col) {
			t.Errorf("binary column %s is neither resealed (sealedColumns) nor listed as a hash", col)
		}
	}
	for _, col := range known {
		if !slices.Contains(found, col) {
			t.Errorf("%s is listed but the schema has no such binary column", col)
		}
	}
}
