package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Docs that run. Every page in docs/flows is run as written, so that a page cannot drift from
// the product:
//
//   - The runner takes each page's fenced code blocks whose info string is `sh` (three
//     backticks and "sh"), in order; blocks marked http, json or anything else, and indented
//     blocks, are illustrations and are not run.
//   - docs/flows/README.md is the setup: its sh blocks (credentials from the first start's
//     output, client tokens, the api, message and claims helpers) run before each page's.
//   - Each page runs as one bash script (set -euo pipefail) in the directory of its own fresh
//     `latchkey serve` (development defaults, SQLite in data/), whose standard output is the
//     file latchkey.out, as the README tells a reader to start it. LK is the server's URL.
//   - Lines beginning with "#> " show what the command before them prints (its last lines, one
//     per "#> " line), where "…" or "..." stands for any text; the runner checks them against
//     the script's standard output. Other comments are the reader's.
//   - A page with no sh block fails: every page must show something that runs. So does a block
//     marked bash, shell, console or zsh, which a reader would take for commands that run.
//
// A page added to docs/flows is picked up without touching this test.

// flowsDir is docs/flows relative to this package.
const flowsDir = "../docs/flows"

// shBlock matches a fenced sh block; the fence may be indented (inside a list item).
var shBlock = regexp.MustCompile("(?ms)^([ \t]*)```sh[ \t]*\n(.*?)^[ \t]*```[ \t]*$")

// otherShell matches a fence marking shell commands some other way than sh.
var otherShell = regexp.MustCompile("(?m)^[ \t]*```(bash|shell|console|zsh)[ \t]*$")

// shellBlocks returns the sh blocks of a Markdown page, each unindented by its fence's indent.
func shellBlocks(t *testing.T, page string) []string {
	t.Helper()
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if m := otherShell.FindString(string(data)); m != "" {
		t.Fatalf("%s has a block marked %q: mark shell commands sh, so that they are run", page, strings.TrimSpace(m))
	}
	var out []string
	for _, m := range shBlock.FindAllStringSubmatch(string(data), -1) {
		indent, body := m[1], m[2]
		var b strings.Builder
		for _, line := range strings.SplitAfter(body, "\n") {
			b.WriteString(strings.TrimPrefix(line, indent))
		}
		out = append(out, b.String())
	}
	return out
}

func TestDocsFlowsRunAsWritten(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "curl", "jq", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the flow pages need %s: %v", tool, err)
		}
	}
	pages, err := filepath.Glob(filepath.Join(flowsDir, "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages in %s: %v", flowsDir, err)
	}
	setup := shellBlocks(t, filepath.Join(flowsDir, "README.md"))
	if len(setup) == 0 {
		t.Fatal("docs/flows/README.md has no sh block to set up the pages")
	}
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".md")
		if name == "README" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			blocks := shellBlocks(t, page)
			if len(blocks) == 0 {
				t.Fatalf("%s has no sh block: every flow page shows commands that run (see README.md)", page)
			}
			runPage(t, append(append([]string{}, setup...), blocks...))
		})
	}
}

// runPage starts a fresh server the way docs/flows/README.md does and runs blocks against it.
func runPage(t *testing.T, blocks []string) {
	dir := t.TempDir()
	out, err := os.Create(filepath.Join(dir, "latchkey.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	addr := freeLoopbackAddr(t)
	srv := exec.Command(latchkeyBinary(t), "serve")
	srv.Dir = dir
	srv.Env = childEnv(map[string]string{"LATCHKEY_LISTEN": addr, "LATCHKEY_PUBLIC_URL": "http://" + addr})
	srv.Stdout = out
	var logs strings.Builder
	srv.Stderr = &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = srv.Wait(); close(done) }()
	defer func() {
		_ = srv.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	}()
	lk := "http://" + addr
	pollUntil(t, processWait, "the server to start and print its credentials", func() bool {
		res, err := http.Get(lk + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		data, _ := os.ReadFile(out.Name())
		return res.StatusCode == http.StatusOK && strings.Contains(string(data), "client_secret ")
	})

	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	var expects [][]string
	for i, b := range blocks {
		fmt.Fprintf(&script, "echo '>>> block %d' >&2\n", i+1)
		var group []string
		for _, line := range strings.Split(b, "\n") {
			if want, ok := strings.CutPrefix(line, "#> "); ok {
				group = append(group, want)
				continue
			}
			if group != nil {
				fmt.Fprintf(&script, "printf '\\n%s %d\\n'\n", expectMark, len(expects))
				expects, group = append(expects, group), nil
			}
			script.WriteString(line + "\n")
		}
		if group != nil {
			fmt.Fprintf(&script, "printf '\\n%s %d\\n'\n", expectMark, len(expects))
			expects = append(expects, group)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir = dir
	cmd.Env = append(childEnv(nil), "LK="+lk, "PATH="+filepath.Dir(latchkeyBinary(t))+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout strings.Builder
	combined := newProcOutput()
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&stdout, combined), combined
	if err := cmd.Run(); err != nil {
		t.Fatalf("the page's commands failed: %v\n%s", err, lastLines(combined.String(), 60))
	}
	t.Logf("output:\n%s", combined.String())
	checkExpectations(t, stdout.String(), expects)
}

// expectMark is the line the runner prints where a page shows expected output.
const expectMark = "@@expected-output@@"

// checkExpectations compares, at each mark in out, the lines printed before it with what the
// page said they would be.
func checkExpectations(t *testing.T, out string, expects [][]string) {
	t.Helper()
	var printed []string
	seen := 0
	for _, line := range strings.Split(out, "\n") {
		var n int
		if _, err := fmt.Sscanf(line, expectMark+" %d", &n); err == nil {
			want := expects[n]
			got := printed[max(0, len(printed)-len(want)):]
			for i, w := range want {
				if i >= len(got) || !outputPattern(w).MatchString(got[i]) {
					t.Errorf("the page says a command prints\n\t%s\nbut it printed\n\t%s", strings.Join(want, "\n\t"), strings.Join(got, "\n\t"))
					break
				}
			}
			printed, seen = nil, seen+1
			continue
		}
		if strings.TrimSpace(line) != "" {
			printed = append(printed, line)
		}
	}
	if seen != len(expects) {
		t.Errorf("%d of %d expected outputs were checked", seen, len(expects))
	}
}

// ellipsis is what a page writes for text that varies.
var ellipsis = regexp.MustCompile(`…|\.\.\.`)

// outputPattern turns an expected line into a pattern: literal but for the ellipses.
func outputPattern(want string) *regexp.Regexp {
	parts := ellipsis.Split(want, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
