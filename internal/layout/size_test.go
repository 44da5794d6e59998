package layout

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The sizes issue 10 set, so a reader can walk the code: no package over
// about 1,500 lines of Go outside its tests (lines as wc counts them,
// comments included; a package may grow a little past 1,500, and at 1,600
// it is split), no file over 400 lines outside tests and the fakes, no
// function over 80 lines outside tests.
const (
	maxPackageLines  = 1600
	maxFileLines     = 400
	maxFunctionLines = 80
)

func TestSizesAReaderCanWalk(t *testing.T) {
	dir := root(t)
	fset := token.NewFileSet()
	packages := map[string]int{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && p != dir {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		lines := strings.Count(string(src), "\n")
		packages[filepath.Dir(rel)] += lines
		if lines > maxFileLines && !strings.HasPrefix(rel, "internal/fake") {
			t.Errorf("%s: %d lines, over %d", rel, lines, maxFileLines)
		}
		f, err := parser.ParseFile(fset, p, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var body *ast.BlockStmt
			name := "a function literal"
			switch x := n.(type) {
			case *ast.FuncDecl:
				body, name = x.Body, x.Name.Name
			case *ast.FuncLit:
				body = x.Body
			}
			if body != nil {
				if l := fset.Position(body.End()).Line - fset.Position(n.Pos()).Line + 1; l > maxFunctionLines {
					t.Errorf("%s: %s is %d lines, over %d", fset.Position(n.Pos()), name, l, maxFunctionLines)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pkg, lines := range packages {
		if lines > maxPackageLines {
			t.Errorf("package %s: %d lines outside tests, over %d", pkg, lines, maxPackageLines)
		}
	}
	if len(packages) < 10 {
		t.Fatalf("found only %d packages under %s: the walk is wrong", len(packages), dir)
	}
}
