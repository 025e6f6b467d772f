package sqlstore

import "testing"

func TestNumberPlaceholders(t *testing.T) {
	cases := map[string]string{
		"SELECT 1":                       "SELECT 1",
		"a = ? AND b = ?":                "a = $1 AND b = $2",
		`x LIKE ? ESCAPE '\' AND y = ?`:  `x LIKE $1 ESCAPE '\' AND y = $2`,
		"a = '?' AND b = ?":              "a = '?' AND b = $1",
		`"odd?name" = ? AND c IN (?, ?)`: `"odd?name" = $1 AND c IN ($2, $3)`,
	}
	for in, want := range cases {
		if got := numberPlaceholders(in); got != want {
			t.Errorf("numberPlaceholders(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRebindCachesAndLeavesSQLiteAlone(t *testing.T) {
	pg, lite := newDialect(true), newDialect(false)
	q := "UPDATE t SET a = ? WHERE id = ?"
	if got := lite.rebind(q); got != q {
		t.Errorf("sqlite rebind = %q, want the query unchanged", got)
	}
	first := pg.rebind(q)
	if first != "UPDATE t SET a = $1 WHERE id = $2" {
		t.Errorf("postgres rebind = %q", first)
	}
	if _, ok := pg.rebound.Load(q); !ok {
		t.Error("postgres rebind did not cache the rewritten query")
	}
	if again := pg.rebind(q); again != first {
		t.Errorf("second rebind = %q, want %q", again, first)
	}
}

func TestFieldOfConstraint(t *testing.T) {
	cases := map[string]string{
		"tenants_pkey":                  "id",
		"tenants_name_key":              "name",
		"resources_uri_key":             "uri",
		"users_email_key":               "email",
		"users_phone_number_key":        "phone_number",
		"users_username_key":            "username",
		"users_external_user_id_key":    "external_user_id",
		"refresh_tokens_token_hash_key": "token_hash",
		"credentials_lookup_key_key":    "lookup_key",
		"something_else":                "",
	}
	for in, want := range cases {
		if got := fieldOfConstraint(in); got != want {
			t.Errorf("fieldOfConstraint(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFieldOfSQLiteMessage(t *testing.T) {
	cases := map[string]string{
		"constraint failed: UNIQUE constraint failed: users.tenant_id, users.email (2067)":                 "email",
		"UNIQUE constraint failed: users.tenant_id, users.username (2067)":                                 "username",
		"UNIQUE constraint failed: users.tenant_id, users.external_user_id (2067)":                         "external_user_id",
		"UNIQUE constraint failed: tenants.name (2067)":                                                    "name",
		"UNIQUE constraint failed: credentials.tenant_id, credentials.type, credentials.lookup_key (2067)": "lookup_key",
		"UNIQUE constraint failed: tenants.id (1555)":                                                      "id",
		"UNIQUE constraint failed: app_users.tenant_id, app_users.app_id, app_users.user_id (1555)":        "",
		"NOT NULL constraint failed: tenants.name (1299)":                                                  "",
	}
	for in, want := range cases {
		if got := fieldOfSQLiteMessage(in); got != want {
			t.Errorf("fieldOfSQLiteMessage(%q) = %q, want %q", in, got, want)
		}
	}
}
