package transfer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/transfer"
)

// target is an empty tenant with one application named "demo".
func target(t *testing.T, postgres bool) (*sqlstore.Store, *secret.Keys, string) {
	t.Helper()
	st := sqlstore.NewTestStore(t, postgres)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	ten := model.Tenant{ID: model.NewID(), Name: "t-" + model.NewID(), SigningAlg: model.AlgRS256, CreatedAt: now}
	if err := st.CreateTenant(ctx, ten); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateApplication(ctx, model.Application{ID: model.NewID(), TenantID: ten.ID, Name: "demo", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	return st, keys, ten.ID
}

// line returns a valid record of one user with a password, linked to "demo".
func line(id, email string) string {
	return `{"format":"latchkey.user.v1","user":{"id":"` + id + `","email":"` + email + `","status":"Active",` +
		`"created_at":"2030-01-02T03:04:05Z","updated_at":"2030-01-02T03:04:05Z"},` +
		`"applications":[{"app_id":"elsewhere","app_name":"demo","created_at":"2030-01-02T03:04:05Z"}],` +
		`"credentials":[{"id":"pw-` + id + `","type":"password","secret":"` + "JGFyZ29uMmlkJA==" + `",` +
		`"created_at":"2030-01-02T03:04:05Z","updated_at":"2030-01-02T03:04:05Z"}]}`
}

// Every bad input is refused with the number of its line, and stores nothing, even when the
// lines before it were good.
func TestImportRefusesBadLinesAndStoresNothing(t *testing.T) {
	cases := []struct {
		name  string
		lines []string
		line  int
		want  string
	}{
		{"not JSON", []string{line("u1", "a@example.com"), `{"format":`}, 2, "not a user record"},
		{"unknown field", []string{line("u1", "a@example.com"), strings.Replace(line("u2", "b@example.com"), `"status"`, `"colour":"red","status"`, 1)}, 2, "unknown field"},
		{"other format", []string{strings.Replace(line("u1", "a@example.com"), "v1", "v9", 1)}, 1, "format"},
		{"missing application", []string{line("u1", "a@example.com"), strings.Replace(line("u2", "b@example.com"), `"app_name":"demo"`, `"app_name":"shop"`, 1)}, 2, `application "shop"`},
		{"email twice in the file", []string{line("u1", "a@example.com"), line("u2", "b@example.com"), line("u3", "a@example.com")}, 3, "also on line 1"},
		{"unknown credential type", []string{strings.Replace(line("u1", "a@example.com"), `"type":"password"`, `"type":"sms"`, 1)}, 1, "unknown credential type"},
		{"bad TOTP key", []string{strings.Replace(line("u1", "a@example.com"), `"type":"password","secret":"JGFyZ29uMmlkJA=="`, `"type":"totp","totp_secret":"not base32!"`, 1)}, 1, "base32"},
		{"bad status", []string{strings.Replace(line("u1", "a@example.com"), "Active", "Gone", 1)}, 1, "status"},
	}
	for _, postgres := range []bool{false, true} {
		name := map[bool]string{false: "sqlite", true: "postgres"}[postgres]
		t.Run(name, func(t *testing.T) {
			st, keys, tenantID := target(t, postgres)
			ctx := context.Background()
			for _, c := range cases {
				_, err := transfer.Import(ctx, st, keys, tenantID, strings.NewReader(strings.Join(c.lines, "\n")+"\n"), transfer.ImportOptions{})
				var le *transfer.LineError
				if !errors.As(err, &le) || le.Line != c.line || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: %v, want line %d saying %q", c.name, err, c.line, c.want)
				}
				if _, n, _ := st.ListUsers(ctx, model.UserQuery{TenantID: tenantID, Limit: 1}); n != 0 {
					t.Fatalf("%s: a refused import stored %d users", c.name, n)
				}
			}

			// A collision with a user already in the tenant is found in the transaction, after
			// earlier lines were written: they are rolled back.
			if _, err := transfer.Import(ctx, st, keys, tenantID, strings.NewReader(line("u9", "c@example.com")), transfer.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			in := line("u1", "a@example.com") + "\n\n" + line("u2", "c@example.com") + "\n"
			_, err := transfer.Import(ctx, st, keys, tenantID, strings.NewReader(in), transfer.ImportOptions{})
			var le *transfer.LineError
			if !errors.As(err, &le) || le.Line != 3 || !strings.Contains(err.Error(), "email") {
				t.Fatalf("import over an existing email: %v, want line 3 naming the email", err)
			}
			if _, n, _ := st.ListUsers(ctx, model.UserQuery{TenantID: tenantID, Limit: 10}); n != 1 {
				t.Fatalf("after a failed import the tenant has %d users, want the 1 from before", n)
			}
		})
	}
}

// An export with a key that does not open the tenant's TOTP keys fails, saying so, rather than
// writing a file that would not sign anyone in.
func TestExportRefusesAnotherMasterKey(t *testing.T) {
	st, keys, tenantID := target(t, false)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	u := model.User{ID: model.NewID(), TenantID: tenantID, Email: "a@example.com", Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	in := `{"format":"latchkey.user.v1","user":{"id":"` + u.ID + `x","email":"b@example.com","status":"Active","created_at":"2030-01-02T03:04:05Z","updated_at":"2030-01-02T03:04:05Z"},` +
		`"credentials":[{"id":"tk1","type":"totp","totp_secret":"JBSWY3DPEHPK3PXP","data":{"algorithm":"sha1","digits":6,"period":30,"confirmed":true},"created_at":"2030-01-02T03:04:05Z","updated_at":"2030-01-02T03:04:05Z"}]}`
	if _, err := transfer.Import(ctx, st, keys, tenantID, strings.NewReader(in), transfer.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if n, err := transfer.Export(ctx, st, keys, tenantID, &out); err != nil || n != 2 || !strings.Contains(out.String(), "JBSWY3DPEHPK3PXP") {
		t.Fatalf("export with the right key: %d, %v", n, err)
	}
	other, _ := secret.NewKeys(secret.NewMasterKey())
	if _, err := transfer.Export(ctx, st, other, tenantID, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "master key") {
		t.Fatalf("export with another key: %v, want a refusal naming the master key", err)
	}
}
