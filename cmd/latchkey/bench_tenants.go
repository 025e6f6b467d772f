package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/bench"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/token"
)

// runTenantScale measures token issuance and JWKS serving on the started server with its one
// tenant, then adds tenants up to f.tenants directly through the store (a child process with
// the server's settings does it, as `latchkey init` would, only faster) and measures again.
func runTenantScale(ctx context.Context, f benchFlags, o bench.Options, s *benchProcess, stdout, stderr io.Writer) error {
	if len(o.Scenarios) == 0 {
		o.Scenarios = bench.TenantScaleScenarios
	}
	var rep bench.TenantScaleReport
	for _, add := range []int{0, f.tenants - 1} {
		fmt.Fprintf(stderr, "tenant scale: adding %d tenants\n", add)
		stats, err := benchAddTenants(ctx, s, add, stderr)
		if err != nil {
			return err
		}
		if stats.Bytes, err = servedJWKSBytes(ctx, s.url); err != nil {
			return err
		}
		r, err := bench.Run(ctx, o)
		if err != nil {
			return err
		}
		rep.Steps = append(rep.Steps, bench.TenantScaleStep{JWKS: stats, Report: r})
	}
	if f.asJSON {
		return rep.WriteJSON(stdout)
	}
	return rep.WriteTable(stdout)
}

// benchAddTenants runs `latchkey bench --add-tenants N` beside the server and returns what it
// measured.
func benchAddTenants(ctx context.Context, s *benchProcess, n int, log io.Writer) (bench.JWKSStats, error) {
	exe, err := os.Executable()
	if err != nil {
		return bench.JWKSStats{}, err
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, exe, "bench", "--add-tenants", fmt.Sprint(n))
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = s.dir, benchEnv(s.env), &out, log
	if err := cmd.Run(); err != nil {
		return bench.JWKSStats{}, fmt.Errorf("add tenants: %w", err)
	}
	var st bench.JWKSStats
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		return bench.JWKSStats{}, fmt.Errorf("add tenants output %q: %w", out.String(), err)
	}
	return st, nil
}

func servedJWKSBytes(ctx context.Context, base string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+token.JWKSPath, nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("get jwks: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("get jwks: status %d, %v", res.StatusCode, err)
	}
	return len(body), nil
}

// addTenants is the child side: it creates n tenants in batches of one transaction each,
// then times how long a node takes to build its key set from nothing, and prints JWKSStats.
func addTenants(ctx context.Context, n int, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("bench", "", nil, stderr, nil)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	now := time.Now().UTC()
	const batch = 1000
	for done := 0; done < n; done += batch {
		err := a.store.InTx(ctx, func(tx storage.Store) error {
			for i := done; i < min(done+batch, n); i++ {
				t := model.Tenant{ID: model.NewID(), Name: "bench-" + model.NewID(), SigningAlg: model.AlgRS256, CreatedAt: now}
				if err := tx.CreateTenant(ctx, t); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("create tenants: %w", err)
		}
	}
	tenants, err := a.store.ListTenants(ctx)
	if err != nil {
		return err
	}
	st := bench.JWKSStats{Tenants: len(tenants)}
	var times []time.Duration
	for range 7 {
		m, err := token.NewManager(a.store, a.keys, token.Options{Issuer: cfg.TokenIssuer()})
		if err != nil {
			return err
		}
		t0 := time.Now()
		doc, _, err := m.JWKSDocument(ctx)
		times = append(times, time.Since(t0))
		if err != nil {
			return err
		}
		st.Keys = strings.Count(string(doc), `"kid"`)
	}
	slices.Sort(times)
	st.BuildMicros = float64(times[len(times)/2].Nanoseconds()) / 1000
	return json.NewEncoder(stdout).Encode(st)
}
