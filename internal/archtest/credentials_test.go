package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// grantFile is where directory.CredentialGrant writes credentials: the one place that may
// call the store's CreateCredential, after directory.AllowCredential applied the rule of who
// may give a user a way to sign in.
const grantFile = "internal/directory/credentials.go"

// credentialUses are the functions that may update a credential without a grant, each with
// why the update gives no one a new way to sign in.
var credentialUses = map[string]string{
	"internal/auth/totp/authenticate.go:checkTOTP":         "records the time step a login used",
	"internal/auth/totp/authenticate.go:spendRecoveryCode": "marks a recovery code used",
	"internal/auth/passkeys/login.go:advanceCounter":       "records a login's signature counter, and binds an old passkey to the relying party its attestation names",
	"internal/auth/passkeys/manage.go:RenamePasskey":       "changes a passkey's label",
}

// Every write of a sign-in credential goes through a directory.CredentialGrant, so that a new
// way of adding one cannot forget the rule: a call of the store's CreateCredential anywhere
// else, or of UpdateCredential outside the functions listed above, fails this test.
func TestCredentialWritesGoThroughTheGrant(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			// The stores implement the methods; go-webauthn, behind internal/passkey, has a
			// CreateCredential of its own that stores nothing.
			switch rel {
			case ".git", "internal/storage", "internal/passkey", "e2e":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				where := rel + ":" + fn.Name.Name
				switch sel.Sel.Name {
				case "CreateCredential":
					if rel != grantFile {
						t.Errorf("%s (%s) creates a credential without a directory.CredentialGrant", where, fset.Position(call.Pos()))
					}
				case "UpdateCredential":
					if _, listed := credentialUses[where]; rel != grantFile && !listed {
						t.Errorf("%s (%s) updates a credential without a directory.CredentialGrant; use one, or list the function "+
							"in credentialUses with why the update adds no way to sign in", where, fset.Position(call.Pos()))
					}
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
