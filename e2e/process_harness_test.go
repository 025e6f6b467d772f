package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// processWait bounds every wait on a latchkey process: a start, an exit, a command.
const processWait = 30 * time.Second

// latchkeyBin is the latchkey binary the process tests share, built once per test run.
var latchkeyBin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if latchkeyBin.dir != "" {
		_ = os.RemoveAll(latchkeyBin.dir)
	}
	os.Exit(code)
}

// latchkeyBinary returns the path of the latchkey binary, building it on first use.
func latchkeyBinary(t *testing.T) string {
	t.Helper()
	latchkeyBin.once.Do(func() { latchkeyBin.path, latchkeyBin.err = buildLatchkey() })
	if latchkeyBin.err != nil {
		t.Fatalf("build latchkey: %v", latchkeyBin.err)
	}
	return latchkeyBin.path
}

func buildLatchkey() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	dir, err := os.MkdirTemp("", "latchkey-e2e-")
	if err != nil {
		return "", err
	}
	latchkeyBin.dir = dir
	bin := filepath.Join(dir, "latchkey")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./cmd/latchkey")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w\n%s", err, out)
	}
	return bin, nil
}

// procStore is where one test's latchkey processes keep their data. Every process of the test
// runs in home, so a development master key lands there whatever the database.
type procStore struct {
	home     string
	database string // LATCHKEY_DATABASE
	postgres bool
}

// masterKeyFile is where a development process keeps its generated master key.
func (s procStore) masterKeyFile() string {
	if s.postgres {
		return filepath.Join(s.home, "data", "master.key")
	}
	return filepath.Join(filepath.Dir(s.database), "master.key")
}

// eachStore runs f in parallel on a fresh SQLite file and, when LATCHKEY_TEST_POSTGRES_DSN is
// set, on a fresh PostgreSQL schema.
func eachStore(t *testing.T, f func(t *testing.T, st procStore)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		home := t.TempDir()
		f(t, procStore{home: home, database: filepath.Join(home, "db", "latchkey.db")})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dsn := sqlstore.TestPostgresDSN(t)
		f(t, procStore{home: t.TempDir(), database: dsn, postgres: true})
	})
}

func sqliteStore(t *testing.T) procStore {
	home := t.TempDir()
	return procStore{home: home, database: filepath.Join(home, "db", "latchkey.db")}
}

// childEnv is the test's environment without any LATCHKEY_ setting, plus extra.
func childEnv(extra map[string]string) []string {
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

func (s procStore) env(extra map[string]string) map[string]string {
	env := map[string]string{"LATCHKEY_DATABASE": s.database}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// latchkeyProcess is one running (or finished) latchkey child process.
type latchkeyProcess struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout *procOutput
	stderr *procOutput
	exited chan struct{}
	code   int    // exit status once exited; -1 when ended by a signal
	addr   string // listen address of a server
	url    string // its public URL
}

// startLatchkeyProcess starts latchkey with args in st.home and kills it when the test ends.
func startLatchkeyProcess(t *testing.T, st procStore, env map[string]string, args ...string) *latchkeyProcess {
	t.Helper()
	cmd := exec.Command(latchkeyBinary(t), args...)
	cmd.Dir = st.home
	cmd.Env = childEnv(st.env(env))
	p := &latchkeyProcess{t: t, cmd: cmd, stdout: newProcOutput(), stderr: newProcOutput(), exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start latchkey %v: %v", args, err)
	}
	go func() {
		err := cmd.Wait()
		p.code = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
		} else if err != nil {
			p.code = -1
		}
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
		if strings.Contains(p.stderr.String(), "WARNING: DATA RACE") {
			t.Errorf("the race detector reported a data race in latchkey %v", args)
		}
		if t.Failed() {
			t.Logf("latchkey %v stderr:\n%s", args, p.stderr.String())
		}
	})
	return p
}

// cmdResult is the outcome of a latchkey command that ran to completion.
type cmdResult struct {
	code           int
	stdout, stderr string
}

// runLatchkey runs a latchkey command to completion, within processWait.
func runLatchkey(t *testing.T, st procStore, env map[string]string, args ...string) cmdResult {
	t.Helper()
	p := startLatchkeyProcess(t, st, env, args...)
	code := p.wait()
	return cmdResult{code: code, stdout: p.stdout.String(), stderr: p.stderr.String()}
}

// wait waits for the process to exit and returns its exit status, including all its output.
func (p *latchkeyProcess) wait() int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(processWait):
		p.t.Fatalf("latchkey %v did not exit within %s; stderr:\n%s", p.cmd.Args[1:], processWait, p.stderr.String())
		return 0
	}
}

func (p *latchkeyProcess) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// stop ends a server gracefully and fails unless it exits with status 0.
func (p *latchkeyProcess) stop() {
	p.t.Helper()
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		p.t.Fatalf("latchkey exited with status %d after SIGTERM; stderr:\n%s", code, p.stderr.String())
	}
}

// freeLoopbackAddr returns a loopback address with a port that was free a moment ago.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startLatchkeyServer runs latchkey serve on addr (a free port when empty) and waits until /readyz
// answers 200. A port taken by someone else between picking and listening is picked again.
func startLatchkeyServer(t *testing.T, st procStore, addr string, env map[string]string) *latchkeyProcess {
	t.Helper()
	for attempt := 0; ; attempt++ {
		a := addr
		if a == "" {
			a = freeLoopbackAddr(t)
		}
		e := map[string]string{"LATCHKEY_LISTEN": a, "LATCHKEY_PUBLIC_URL": "http://" + a}
		for k, v := range env {
			e[k] = v
		}
		p := startLatchkeyProcess(t, st, e, "serve")
		p.addr, p.url = a, "http://"+a
		err := p.waitReady()
		if err == nil {
			return p
		}
		if addr == "" && attempt < 3 && strings.Contains(p.stderr.String(), "address already in use") {
			continue
		}
		t.Fatalf("latchkey serve did not become ready: %v; stderr:\n%s", err, p.stderr.String())
	}
}

// waitReady polls /readyz until it answers 200, the process exits, or processWait passes.
func (p *latchkeyProcess) waitReady() error {
	deadline := time.Now().Add(processWait)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("process exited with status %d", p.code)
		default:
		}
		res, err := client.Get(p.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %s (last error %v)", processWait, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pollUntil polls cond until it holds or timeout passes; what names the condition.
func pollUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
