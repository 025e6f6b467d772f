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

// methodCall is a call of a method by name, found in the repository's non-test code.
type methodCall struct {
	file   string // path from the repository root, with slashes
	fn     string // the enclosing function's name
	method string
	pos    token.Position
}

// eachMethodCall calls visit for every call of a selector (x.Name(...)) in the repository's
// non-test Go files, except under the stores (which implement the storage methods), the
// WebAuthn library wrapper and the end-to-end tests.
func eachMethodCall(t *testing.T, visit func(methodCall)) {
	t.Helper()
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			// go-webauthn, behind internal/passkey, has a CreateCredential of its own that
			// stores nothing.
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
				if call, ok := n.(*ast.CallExpr); ok {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
						visit(methodCall{file: rel, fn: fn.Name.Name, method: sel.Sel.Name, pos: fset.Position(call.Pos())})
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
