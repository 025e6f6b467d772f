package deploy

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line int
	cmd  string // upper case: FROM, RUN, ...
	args string
}

// stage is one FROM and the instructions under it.
type stage struct {
	image, name string
	body        []instruction
}

// parseDockerfile splits a Dockerfile into stages. It knows what this repository's Dockerfile
// uses: comments, parser directives, backslash continuations and instructions.
func parseDockerfile(t *testing.T, text string) []stage {
	t.Helper()
	var stages []stage
	var cur *instruction
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		raw := strings.TrimRight(lines[i], " \t\r")
		trimmed := strings.TrimSpace(raw)
		if cur == nil && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur != nil && strings.HasPrefix(trimmed, "#") {
			continue // a comment inside a continued instruction
		}
		cont := strings.HasSuffix(raw, "\\")
		part := strings.TrimSuffix(trimmed, "\\")
		if cur == nil {
			cmd, args, _ := strings.Cut(part, " ")
			cur = &instruction{line: i + 1, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		} else {
			cur.args += " " + strings.TrimSpace(part)
		}
		if cont {
			continue
		}
		in := *cur
		cur = nil
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			s := stage{image: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile:%d: %s before the first FROM", in.line, in.cmd)
		}
		stages[len(stages)-1].body = append(stages[len(stages)-1].body, in)
	}
	if cur != nil {
		t.Fatalf("Dockerfile:%d: the last instruction ends in a continuation", cur.line)
	}
	return stages
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.body {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// TestDockerfile checks the Dockerfile's promises: a multi-stage build of a static binary, a
// final image without a shell or libc (distroless static, or scratch), a non-root user, and a
// health check that needs neither shell nor curl.
func TestDockerfile(t *testing.T) {
	text, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	stages := parseDockerfile(t, string(text))
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a build stage and a final one", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]

	var built bool
	for _, in := range build.all("RUN") {
		if strings.Contains(in.args, "go build") {
			built = true
			if !strings.Contains(in.args, "CGO_ENABLED=0") {
				t.Errorf("Dockerfile:%d: go build without CGO_ENABLED=0: the binary would need a C library", in.line)
			}
			if !strings.Contains(in.args, "./cmd/latchkey") {
				t.Errorf("Dockerfile:%d: go build does not build ./cmd/latchkey", in.line)
			}
		}
	}
	if !built {
		t.Error("the build stage runs no go build")
	}

	if !strings.HasPrefix(final.image, "gcr.io/distroless/static") && final.image != "scratch" {
		t.Errorf("final base %s is neither distroless static nor scratch", final.image)
	}
	var copied bool
	for _, in := range final.all("COPY") {
		if strings.Contains(in.args, "--from="+build.name) && strings.Contains(in.args, "latchkey") && build.name != "" {
			copied = true
		}
	}
	if !copied {
		t.Errorf("the final stage copies no latchkey binary from the build stage %q", build.name)
	}

	users := final.all("USER")
	if len(users) == 0 {
		t.Fatal("the final stage sets no USER: it would run as root")
	}
	user, group, _ := strings.Cut(users[len(users)-1].args, ":")
	for _, id := range []string{user, group} {
		if id == "" {
			continue
		}
		if n, err := strconv.Atoi(id); (err == nil && n == 0) || id == "root" {
			t.Errorf("the final stage runs as %s", users[len(users)-1].args)
		}
	}

	checks := final.all("HEALTHCHECK")
	if len(checks) != 1 {
		t.Fatalf("%d HEALTHCHECKs in the final stage, want 1", len(checks))
	}
	hc := checks[0].args
	_, execForm, ok := strings.Cut(hc, "CMD [")
	if !ok || !strings.Contains(execForm, `"health"`) || !strings.Contains(execForm, `/latchkey"`) {
		t.Errorf("HEALTHCHECK %q is not latchkey health in exec form (the image has no shell)", hc)
	}
	for _, cmd := range []string{"ENTRYPOINT", "CMD"} {
		for _, in := range final.all(cmd) {
			if !strings.HasPrefix(in.args, "[") {
				t.Errorf("Dockerfile:%d: %s in shell form; the image has no shell", in.line, cmd)
			}
		}
	}
	// Inside a container, the default loopback address is unreachable from outside.
	var listen bool
	for _, in := range final.all("ENV") {
		if strings.Contains(in.args, "LATCHKEY_LISTEN=0.0.0.0:") {
			listen = true
		}
	}
	if !listen {
		t.Error("the final stage does not make Latchkey listen beyond loopback")
	}
}

// TestStaticBuildNeedsNoCgo checks, without compiling, that every package of the server builds
// with CGO_ENABLED=0, as the Dockerfile builds it: a dependency that needs cgo (a C SQLite
// driver, say) makes go list report an error. Compiling the static binary costs minutes on a
// cold cache; docs/deploy.md says how it was measured to be static.
func TestStaticBuildNeedsNoCgo(t *testing.T) {
	cmd := exec.Command("go", "list", "-e", "-deps", "-f", "{{if .Error}}{{.ImportPath}}: {{.Error}}{{end}}{{if .CgoFiles}}{{.ImportPath}} has cgo files{{end}}", "../cmd/latchkey")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Fatalf("with CGO_ENABLED=0:\n%s", s)
	}
	deps, err := exec.Command("go", "list", "-deps", "../cmd/latchkey").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(deps), "modernc.org/sqlite\n") {
		t.Error("the server no longer uses the pure-Go SQLite driver the Dockerfile counts on")
	}
}
