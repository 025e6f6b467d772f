package httpapi

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The Mosaic compatibility table (docs/mosaic-compatibility.md) is checked against the router
// and openapi.json here, so that a route added, removed or re-secured without its row, or a
// row whose status no longer holds, fails with the row's line or the route named.

// compatDocPath is read from the package directory; compatDocName names the page in messages.
const (
	compatDocPath = "../../docs/mosaic-compatibility.md"
	compatDocName = "docs/mosaic-compatibility.md"
)

var (
	compatOpsHeader      = []string{"API", "Method", "Mosaic path", "Security", "Status", "Notes"}
	compatAddHeader      = []string{"Method", "Path", "Access", "Why"}
	compatSumHeader      = []string{"API", "Operations", "implemented", "differs", "missing", "not planned"}
	compatAPIs           = []string{"backend-auth", "users", "applications", "oidc", "roles", "groups", "organizations", "members"}
	compatStatuses       = []string{"implemented", "differs", "missing", "not planned"}
	compatSchemes        = []string{"none", "client", "admin", "user", "org-admin", "unknown"}
	compatMethods        = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
	compatWildcard       = regexp.MustCompile(`\{[^}]*\}`)
	compatDifferenceRef  = regexp.MustCompile(`\bD\d+\b`)
	compatDifferenceItem = regexp.MustCompile(`^- \*\*(D\d+)\.`)
)

// compatOp is a row of a Mosaic API table; compatAddition a row of "Latchkey additions".
type compatOp struct {
	line                                       int
	api, method, path, security, status, notes string
}

type compatAddition struct {
	line                      int
	method, path, access, why string
}

type compatDoc struct {
	ops         []compatOp
	additions   []compatAddition
	differences map[string]bool   // D numbers defined under "Deliberate differences"
	summary     map[string][5]int // API (or "total") -> operations and the four statuses
	summaryLine int               // line of the summary header, 0 when there is none
	problems    []string          // rows that do not parse
}

// compatKey names a method and path with every path parameter reduced to {}, so that rows and
// routes compare whatever their parameters are called.
func compatKey(method, path string) string {
	return method + " " + compatWildcard.ReplaceAllString(openAPIPath(path), "{}")
}

func compatCells(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	cells := strings.Split(line, "|")
	for i, c := range cells {
		cells[i] = strings.Trim(strings.TrimSpace(c), "`")
	}
	return cells
}

func isSeparatorRow(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, ":-") != "" || c == "" {
			return false
		}
	}
	return true
}

// parseCompatDoc reads every table of the page. Rows belong to the table whose header they
// follow; a table ends at the first line that does not start with "|".
func parseCompatDoc(text string) compatDoc {
	doc := compatDoc{differences: map[string]bool{}, summary: map[string][5]int{}}
	var header []string
	section := ""
	for i, raw := range strings.Split(text, "\n") {
		n, line := i+1, strings.TrimSpace(raw)
		where := fmt.Sprintf("%s:%d", compatDocName, n)
		if strings.HasPrefix(line, "## ") {
			section = strings.TrimPrefix(line, "## ")
		}
		if m := compatDifferenceItem.FindStringSubmatch(line); m != nil && section == "Deliberate differences" {
			doc.differences[m[1]] = true
		}
		if !strings.HasPrefix(line, "|") {
			header = nil
			continue
		}
		cells := compatCells(line)
		switch {
		case header == nil && (slices.Equal(cells, compatOpsHeader) || slices.Equal(cells, compatAddHeader) || slices.Equal(cells, compatSumHeader)):
			header = cells
			if slices.Equal(cells, compatSumHeader) {
				doc.summaryLine = n
			}
			continue
		case header == nil:
			header = []string{"other"} // a table this test does not read (the column guide)
			continue
		case isSeparatorRow(cells) || header[0] == "other":
			continue
		case len(cells) != len(header):
			doc.problems = append(doc.problems, fmt.Sprintf("%s: row has %d cells, its table has %d columns (%s): %s", where, len(cells), len(header), strings.Join(header, " | "), line))
			continue
		}
		switch {
		case slices.Equal(header, compatOpsHeader):
			doc.ops = append(doc.ops, compatOp{n, cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]})
		case slices.Equal(header, compatAddHeader):
			doc.additions = append(doc.additions, compatAddition{n, cells[0], cells[1], cells[2], cells[3]})
		default:
			var counts [5]int
			for j := range counts {
				v, err := strconv.Atoi(cells[j+1])
				if err != nil {
					doc.problems = append(doc.problems, fmt.Sprintf("%s: summary count %q is not a number", where, cells[j+1]))
				}
				counts[j] = v
			}
			doc.summary[cells[0]] = counts
		}
	}
	return doc
}

func accessName(a Access) string {
	switch a {
	case Public:
		return "public"
	case AdminToken:
		return "admin"
	}
	return "client"
}

// securityProblem compares a row's Mosaic token with its route's where the mapping is clear.
// User and organization-admin tokens are checked by handlers, not by the route, so rows that
// name only those (or "unknown") are not compared.
func securityProblem(op compatOp, rt Route) string {
	s := map[string]bool{}
	for _, name := range strings.Split(op.security, ",") {
		s[strings.TrimSpace(name)] = true
	}
	token := s["client"] || s["admin"]
	switch {
	case s["unknown"]:
		return ""
	case rt.Access == Public && token && !s["none"]:
		return fmt.Sprintf("Mosaic requires a %s token but the route is public", op.security)
	case rt.Access != Public && s["none"] && !token:
		return fmt.Sprintf("Mosaic takes no token here but the route requires a %s token", accessName(rt.Access))
	case rt.Access == ClientToken && s["admin"] && !s["client"]:
		return "Mosaic requires the management (admin) token but the route accepts any client token"
	case rt.Access == AdminToken && s["client"] && op.status != "differs":
		return "Mosaic accepts an application's client token but the route requires the management token: mark the row differs (D1) or let the route take client tokens"
	}
	return ""
}

// checkCompat returns every disagreement between the page, the routes and the operations
// openapi.json documents (keys made by compatKey).
func checkCompat(doc compatDoc, routes []Route, documented map[string]bool) []string {
	problems := slices.Clone(doc.problems)
	byKey := map[string]Route{}
	for _, rt := range routes {
		byKey[compatKey(rt.Method, rt.Pattern)] = rt
	}
	listed := map[string]int{} // key -> line of its row
	counts := map[string][5]int{}
	row := func(line int, method, path string) (where, key string) {
		where = fmt.Sprintf("%s:%d: %s %s", compatDocName, line, method, path)
		key = compatKey(method, path)
		if !slices.Contains(compatMethods, method) || !strings.HasPrefix(path, "/") {
			problems = append(problems, where+": method or path is malformed")
		}
		if prev, dup := listed[key]; dup {
			problems = append(problems, fmt.Sprintf("%s: listed again (first at line %d)", where, prev))
		}
		listed[key] = line
		return where, key
	}
	routed := map[string]bool{}
	for _, op := range doc.ops {
		where, key := row(op.line, op.method, op.path)
		rt, ok := byKey[key]
		if !slices.Contains(compatAPIs, op.api) {
			problems = append(problems, fmt.Sprintf("%s: API %q is not one of %s", where, op.api, strings.Join(compatAPIs, ", ")))
		}
		for _, name := range strings.Split(op.security, ",") {
			if !slices.Contains(compatSchemes, strings.TrimSpace(name)) {
				problems = append(problems, fmt.Sprintf("%s: security %q is not one of %s", where, op.security, strings.Join(compatSchemes, ", ")))
			}
		}
		status := slices.Index(compatStatuses, op.status)
		if status < 0 {
			problems = append(problems, fmt.Sprintf("%s: status %q is not one of %s", where, op.status, strings.Join(compatStatuses, ", ")))
		} else {
			c := counts[op.api]
			c[0]++
			c[status+1]++
			counts[op.api] = c
		}
		switch op.status {
		case "implemented", "differs":
			routed[key] = true
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: marked %s but the router has no such route: register it or set the status to missing", where, op.status))
				break
			}
			if !documented[key] {
				problems = append(problems, fmt.Sprintf("%s: routed but not described in openapi.json", where))
			}
			if p := securityProblem(op, rt); p != "" {
				problems = append(problems, fmt.Sprintf("%s: %s", where, p))
			}
		case "missing", "not planned":
			if ok {
				routed[key] = true // reported here, not again as a route without a row
				problems = append(problems, fmt.Sprintf("%s: marked %s but the router serves it (%s, %s token): set its status", where, op.status, rt.Pattern, accessName(rt.Access)))
			}
		}
		if op.status == "differs" || op.status == "not planned" {
			refs := compatDifferenceRef.FindAllString(op.notes, -1)
			if len(refs) == 0 {
				problems = append(problems, fmt.Sprintf("%s: marked %s without a reason: name a deliberate difference (D1, D2, ...) in Notes", where, op.status))
			}
			for _, ref := range refs {
				if !doc.differences[ref] {
					problems = append(problems, fmt.Sprintf("%s: Notes name %s, which is not defined under \"Deliberate differences\"", where, ref))
				}
			}
		}
	}
	for _, add := range doc.additions {
		where, key := row(add.line, add.method, add.path)
		routed[key] = true
		rt, ok := byKey[key]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: listed as a Latchkey addition but the router has no such route: remove the row", where))
		case !documented[key]:
			problems = append(problems, fmt.Sprintf("%s: routed but not described in openapi.json", where))
		case add.access != accessName(rt.Access):
			problems = append(problems, fmt.Sprintf("%s: Access says %q but the route takes %q", where, add.access, accessName(rt.Access)))
		}
		if add.why == "" {
			problems = append(problems, where+": a Latchkey addition needs a reason in Why")
		}
	}
	for _, rt := range routes {
		key := compatKey(rt.Method, rt.Pattern)
		if strings.HasPrefix(rt.Pattern, "/cis/") && !routed[key] {
			problems = append(problems, fmt.Sprintf("route %s %s (%s token) has no row in %s: add it to its Mosaic API's table, or to \"Latchkey additions\" if Mosaic has no such operation", rt.Method, rt.Pattern, accessName(rt.Access), compatDocName))
		}
	}
	return append(problems, summaryProblems(doc, counts)...)
}

// summaryProblems compares the summary table with the rows and, when they differ, prints the
// table as it should read.
func summaryProblems(doc compatDoc, counts map[string][5]int) []string {
	var total [5]int
	var want strings.Builder
	want.WriteString("| " + strings.Join(compatSumHeader, " | ") + " |\n|---|---|---|---|---|---|\n")
	line := func(name string, c [5]int) {
		fmt.Fprintf(&want, "| %s | %d | %d | %d | %d | %d |\n", name, c[0], c[1], c[2], c[3], c[4])
	}
	for _, api := range compatAPIs {
		c := counts[api]
		for i := range total {
			total[i] += c[i]
		}
		line(api, c)
	}
	line("total", total)
	expected := map[string][5]int{"total": total}
	for _, api := range compatAPIs {
		expected[api] = counts[api]
	}
	if doc.summaryLine == 0 {
		return []string{fmt.Sprintf("%s: no summary table; add under \"## Summary\":\n%s", compatDocName, want.String())}
	}
	if len(doc.summary) != len(expected) {
		return []string{fmt.Sprintf("%s:%d: the summary must have one row per API and a total; it should read:\n%s", compatDocName, doc.summaryLine, want.String())}
	}
	for _, name := range append(slices.Clone(compatAPIs), "total") {
		if c := expected[name]; doc.summary[name] != c {
			return []string{fmt.Sprintf("%s:%d: the summary disagrees with the rows (first at %q); it should read:\n%s", compatDocName, doc.summaryLine, name, want.String())}
		}
	}
	return nil
}

func TestMosaicCompatibilityTable(t *testing.T) {
	text, err := os.ReadFile(compatDocPath)
	if err != nil {
		t.Fatalf("reading the compatibility table: %v", err)
	}
	doc := parseCompatDoc(string(text))
	if len(doc.ops) < 50 || len(doc.additions) < 10 {
		t.Fatalf("%s: read only %d Mosaic rows and %d additions; has a table header changed?", compatDocName, len(doc.ops), len(doc.additions))
	}
	documented := map[string]bool{}
	operations(loadOpenAPI(t), func(path, method string, _ map[string]any) {
		documented[compatKey(strings.ToUpper(method), path)] = true
	})
	for _, p := range checkCompat(doc, New(Config{}).Routes(), documented) {
		t.Error(p)
	}
}

// TestMosaicCompatibilityCheckFindsDrift feeds the checker a small page and router that
// disagree in every way it looks for, and one row that agrees.
func TestMosaicCompatibilityCheckFindsDrift(t *testing.T) {
	page := strings.Join([]string{
		"## Summary",
		"| API | Operations | implemented | differs | missing | not planned |",
		"|---|---|---|---|---|---|",
		"| users | 9 | 9 | 0 | 0 | 0 |",
		"## Users",
		"| API | Method | Mosaic path | Security | Status | Notes |",
		"|---|---|---|---|---|---|",
		"| users | GET | `/cis/v1/users/{user_id}` | client | implemented | |",
		"| users | POST | `/cis/v1/users` | client | implemented | |",
		"| users | DELETE | `/cis/v1/users/{user_id}` | client | missing | |",
		"| users | GET | `/cis/v1/users/count` | none | implemented | |",
		"| users | PUT | `/cis/v1/users/{user_id}` | client | differs | no reason given |",
		"| users | GET | `/cis/v1/users/email/{email}` | client | implemented | |",
		"| users | DELETE | `/cis/v1/manage/users/{user_id}` | admin | implemented | |",
		"| users | GET | `/cis/v1/users/phone/{p}` | client | not planned | D9 |",
		"| users | PATCH | `/cis/v1/users/{id}` | bogus | done | |",
		"| users | GET | `/cis/v1/users/{id}` | client | implemented | |",
		"",
		"## Latchkey additions",
		"| Method | Path | Access | Why |",
		"|---|---|---|---|",
		"| GET | `/cis/v1/audit` | admin | the audit log |",
		"| GET | `/cis/v1/gone` | client | |",
		"",
		"## Deliberate differences",
		"- **D1. Something.** Text.",
	}, "\n")
	routes := []Route{
		{Method: "GET", Pattern: "/cis/v1/users/{id}", Access: ClientToken},
		{Method: "DELETE", Pattern: "/cis/v1/users/{user_id}", Access: ClientToken},
		{Method: "GET", Pattern: "/cis/v1/users/count", Access: ClientToken},
		{Method: "PUT", Pattern: "/cis/v1/users/{user_id}", Access: ClientToken},
		{Method: "GET", Pattern: "/cis/v1/users/email/{email}", Access: ClientToken},
		{Method: "DELETE", Pattern: "/cis/v1/manage/users/{user_id}", Access: ClientToken},
		{Method: "GET", Pattern: "/cis/v1/audit", Access: ClientToken},
		{Method: "POST", Pattern: "/cis/v1/unlisted", Access: AdminToken},
		{Method: "GET", Pattern: "/healthz", Access: Public},
	}
	documented := map[string]bool{}
	for _, rt := range routes {
		documented[compatKey(rt.Method, rt.Pattern)] = true
	}
	delete(documented, compatKey("GET", "/cis/v1/users/email/{x}"))
	problems := checkCompat(parseCompatDoc(page), routes, documented)
	want := map[string][]string{ // one problem must contain all of a list's parts
		"row without route":      {":9: POST /cis/v1/users", "no such route"},
		"routed missing row":     {":10: DELETE /cis/v1/users/{user_id}", "marked missing but the router serves it"},
		"public in Mosaic":       {":11: GET /cis/v1/users/count", "Mosaic takes no token"},
		"differs without reason": {":12: PUT /cis/v1/users/{user_id}", "without a reason"},
		"undocumented route":     {":13: GET /cis/v1/users/email/{email}", "not described in openapi.json"},
		"widened admin route":    {":14: DELETE /cis/v1/manage/users/{user_id}", "accepts any client token"},
		"undefined difference":   {":15: GET /cis/v1/users/phone/{p}", "D9"},
		"bad security":           {":16: PATCH", "security \"bogus\""},
		"bad status":             {":16: PATCH", "status \"done\""},
		"duplicate row":          {":17: GET /cis/v1/users/{id}", "listed again (first at line 8)"},
		"addition access":        {":22: GET /cis/v1/audit", "Access says \"admin\""},
		"addition without route": {":23: GET /cis/v1/gone", "no such route"},
		"addition without why":   {":23: GET /cis/v1/gone", "needs a reason"},
		"route without row":      {"route POST /cis/v1/unlisted (admin token) has no row"},
		"stale summary":          {":2: the summary must have one row per API"},
	}
	for name, parts := range want {
		found := slices.ContainsFunc(problems, func(p string) bool {
			return !slices.ContainsFunc(parts, func(part string) bool { return !strings.Contains(p, part) })
		})
		if !found {
			t.Errorf("%s: no problem mentions %q; got:\n%s", name, parts, strings.Join(problems, "\n"))
		}
	}
	for _, p := range problems {
		if strings.Contains(p, ":8: ") || strings.Contains(p, "/healthz") {
			t.Errorf("a row or route that agrees was reported: %s", p)
		}
	}
}
