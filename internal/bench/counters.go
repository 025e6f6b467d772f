package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Counters are the server's cumulative counters, published by its admin listener under
// /debug/vars.
type Counters struct {
	Statements   int64   `json:"sql_statements"`
	Transactions int64   `json:"sql_transactions"`
	CPUSeconds   float64 `json:"cpu_seconds"`
}

// Expvar names the server publishes; the admin listener and this reader must agree.
const (
	VarStatements   = "latchkey_sql_statements"
	VarTransactions = "latchkey_sql_transactions"
	VarCPUSeconds   = "latchkey_cpu_seconds"
)

// Sub returns c minus earlier.
func (c Counters) Sub(earlier Counters) Counters {
	return Counters{
		Statements:   c.Statements - earlier.Statements,
		Transactions: c.Transactions - earlier.Transactions,
		CPUSeconds:   c.CPUSeconds - earlier.CPUSeconds,
	}
}

// Add returns c plus more.
func (c Counters) Add(more Counters) Counters {
	return Counters{
		Statements:   c.Statements + more.Statements,
		Transactions: c.Transactions + more.Transactions,
		CPUSeconds:   c.CPUSeconds + more.CPUSeconds,
	}
}

// ReadCounters reads the counters from the admin listener at adminURL.
func ReadCounters(ctx context.Context, adminURL string) (Counters, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(adminURL, "/")+"/debug/vars", nil)
	if err != nil {
		return Counters{}, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return Counters{}, fmt.Errorf("read counters: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return Counters{}, fmt.Errorf("read counters: status %d", res.StatusCode)
	}
	var vars map[string]json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&vars); err != nil {
		return Counters{}, fmt.Errorf("read counters: %w", err)
	}
	var c Counters
	for name, dst := range map[string]any{VarStatements: &c.Statements, VarTransactions: &c.Transactions, VarCPUSeconds: &c.CPUSeconds} {
		raw, ok := vars[name]
		if !ok {
			return Counters{}, fmt.Errorf("read counters: %s is not published", name)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return Counters{}, fmt.Errorf("read counters: %s: %w", name, err)
		}
	}
	return c, nil
}
