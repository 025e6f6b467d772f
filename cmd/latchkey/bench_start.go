package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/latchkey/latchkey/internal/bench"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// benchProcess is a child process the bench started: a Latchkey or a floor server.
type benchProcess struct {
	cmd      *exec.Cmd
	done     chan struct{}
	dir      string            // removed on stop when set
	env      map[string]string // the server's settings, for commands run beside it
	url      string
	adminURL string
	boot     tenancy.Bootstrap
	flood    tenancy.Bootstrap // a second tenant, for the password-fairness scenario
	info     bench.ServerInfo
	// more are the further nodes of --nodes, on the same database; stop stops them first.
	more []*benchProcess
}

// benchEnv is the bench's environment without LATCHKEY_ settings, plus the child's own.
func benchEnv(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LATCHKEY_") {
			env = append(env, kv)
		}
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// pinned prefixes args with taskset when cpus names a CPU list.
func pinned(cpus string, args []string) ([]string, error) {
	if cpus == "" {
		return args, nil
	}
	ts, err := exec.LookPath("taskset")
	if err != nil {
		return nil, fmt.Errorf("pinning to CPUs needs taskset: %w", err)
	}
	return append([]string{ts, "-c", cpus}, args...), nil
}

// pinSelf moves every thread of this process to cpus and sizes the Go scheduler to them.
func pinSelf(cpus string) error {
	ts, err := exec.LookPath("taskset")
	if err != nil {
		return fmt.Errorf("pinning to CPUs needs taskset: %w", err)
	}
	if out, err := exec.Command(ts, "-a", "-p", "-c", cpus, strconv.Itoa(os.Getpid())).CombinedOutput(); err != nil {
		return fmt.Errorf("taskset: %w: %s", err, out)
	}
	if n := countCPUs(cpus); n > 0 {
		runtime.GOMAXPROCS(n)
	}
	return nil
}

// countCPUs counts the CPUs of a list such as "0", "1-3" or "0,2"; 0 when it cannot tell.
func countCPUs(list string) int {
	n := 0
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			return 0
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil || b < a {
				return 0
			}
		}
		n += b - a + 1
	}
	return n
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startBenchServer initialises a temporary database with the benchmark's tenant and a second
// one (the flood of password-fairness), switches the first to the benchmark's algorithm and
// starts latchkey serve with an admin listener, waiting until it is ready. With f.nodes above
// one it starts that many, one after the other, on the same database, each with listeners of
// its own, all pinned to f.serverCPU; the first is returned, with the others in its more.
func startBenchServer(ctx context.Context, f benchFlags, log io.Writer) (*benchProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "latchkey-bench-")
	if err != nil {
		return nil, err
	}
	p := &benchProcess{dir: dir}
	fail := func(err error) (*benchProcess, error) { p.stop(); return nil, err }
	env := map[string]string{
		"LATCHKEY_MASTER_KEY_FILE": filepath.Join(dir, "master.key"),
		"LATCHKEY_DATABASE":        filepath.Join(dir, "latchkey.db"),
		"LATCHKEY_PASSWORD_HASH":   f.passwordHash,
	}
	if f.passwordWorkers > 0 {
		env["LATCHKEY_PASSWORD_WORKERS"] = strconv.Itoa(f.passwordWorkers)
	}
	if f.passwordQueue > 0 {
		env["LATCHKEY_PASSWORD_QUEUE"] = strconv.Itoa(f.passwordQueue)
	}
	p.info.Database = "sqlite"
	if f.database != "" {
		env["LATCHKEY_DATABASE"] = f.database
		p.info.Database = "postgres"
	}
	for _, t := range []struct {
		name string
		boot *tenancy.Bootstrap
	}{{"default", &p.boot}, {"bench-flood", &p.flood}} {
		var out bytes.Buffer
		initCmd := exec.CommandContext(ctx, exe, "init", "--json", "--tenant", t.name)
		initCmd.Dir, initCmd.Env, initCmd.Stdout, initCmd.Stderr = dir, benchEnv(env), &out, log
		if err := initCmd.Run(); err != nil {
			return fail(fmt.Errorf("latchkey init: %w", err))
		}
		if err := json.Unmarshal(out.Bytes(), t.boot); err != nil {
			return fail(fmt.Errorf("latchkey init output: %w", err))
		}
	}
	if f.algorithm != "RS256" {
		rot := exec.CommandContext(ctx, exe, "keys", "rotate", "--algorithm", f.algorithm)
		rot.Dir, rot.Env, rot.Stdout, rot.Stderr = dir, benchEnv(env), io.Discard, log
		if err := rot.Run(); err != nil {
			return fail(fmt.Errorf("latchkey keys rotate: %w", err))
		}
	}
	var public string
	for i := range f.nodes {
		node := p
		if i > 0 {
			node = &benchProcess{}
			p.more = append(p.more, node)
		}
		nodeEnv, err := node.serve(f, exe, dir, env, i, &public, log)
		if err != nil {
			return fail(err)
		}
		if i == 0 {
			p.env = nodeEnv
		}
	}
	return p, nil
}

// serve starts node i of the benchmark's servers in dir with env plus listeners of its own
// and waits until it is ready. Every node is given the first's address as its public URL
// (public is set by the first call), the one a deployment's nodes share behind their load
// balancer: tokens name it as their issuer, and each node accepts those of the others.
func (p *benchProcess) serve(f benchFlags, exe, dir string, env map[string]string, i int, public *string, log io.Writer) (map[string]string, error) {
	addr, err1 := freeAddr()
	admin, err2 := freeAddr()
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pick ports: %v %v", err1, err2)
	}
	if *public == "" {
		*public = "http://" + addr
	}
	env = maps.Clone(env)
	env["LATCHKEY_LISTEN"], env["LATCHKEY_PUBLIC_URL"], env["LATCHKEY_ADMIN_LISTEN"] = addr, *public, admin
	p.url, p.adminURL = "http://"+addr, "http://"+admin
	args, err := pinned(f.serverCPU, []string{exe, "serve"})
	if err != nil {
		return nil, err
	}
	name := "server.log"
	if i > 0 {
		name = fmt.Sprintf("server-%d.log", i+1)
	}
	logFile, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	t0 := time.Now()
	if err := p.start(args, dir, benchEnv(env), logFile); err != nil {
		return nil, err
	}
	if err := p.waitReady(p.url + "/readyz"); err != nil {
		return nil, fmt.Errorf("latchkey serve: %w (log in %s)", err, logFile.Name())
	}
	p.info.StartToReady = float64(time.Since(t0).Microseconds()) / 1000
	// taskset execs latchkey, so the child's pid is the server's.
	p.info.IdleRSSBytes = rss(p.cmd.Process.Pid)
	if f.nodes > 1 {
		p.info.Nodes = f.nodes
		fmt.Fprintf(log, "latchkey node %d ready at %s in %.0f ms\n", i+1, p.url, p.info.StartToReady)
	} else {
		fmt.Fprintf(log, "latchkey ready at %s in %.0f ms\n", p.url, p.info.StartToReady)
	}
	return env, nil
}

// startFloorServer starts this binary's floor server, pinned like the Latchkey server.
func startFloorServer(ctx context.Context, f benchFlags, log io.Writer) (*benchProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	p := &benchProcess{url: "http://" + addr}
	argv := []string{exe, "bench", "--floor-serve", addr, "--algorithm", f.algorithm, "--password-hash", f.passwordHash}
	if f.start {
		// The floor's commits go to the engine the started server uses: a SQLite file of its
		// own, or a table of its own in the PostgreSQL database.
		db := f.database
		if db == "" {
			if p.dir, err = os.MkdirTemp("", "latchkey-floor-"); err != nil {
				return nil, err
			}
			db = filepath.Join(p.dir, "floor.db")
		}
		argv = append(argv, "--floor-database", db)
	}
	args, err := pinned(f.serverCPU, argv)
	if err != nil {
		p.stop()
		return nil, err
	}
	if err := p.start(args, "", benchEnv(nil), log); err != nil {
		return nil, err
	}
	if err := p.waitReady(p.url + "/readyz"); err != nil {
		p.stop()
		return nil, fmt.Errorf("floor server: %w", err)
	}
	return p, nil
}

func (p *benchProcess) start(args []string, dir string, env []string, out io.Writer) error {
	p.cmd = exec.Command(args[0], args[1:]...)
	p.cmd.Dir, p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = dir, env, out, out
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", filepath.Base(args[0]), err)
	}
	p.done = make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	return nil
}

// waitReady polls url until it answers 200, the process exits, or 30 seconds pass.
func (p *benchProcess) waitReady(url string) error {
	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-p.done:
			return fmt.Errorf("exited before it was ready")
		default:
		}
		if res, err := client.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within 30s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stop ends the process gracefully (SIGTERM, then SIGKILL after 10 s) and removes its
// directory.
func (p *benchProcess) stop() {
	for _, n := range p.more {
		n.stop()
	}
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	if p.dir != "" {
		_ = os.RemoveAll(p.dir)
	}
}

// rss reads a process's resident set size from /proc; 0 where /proc is missing.
func rss(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
