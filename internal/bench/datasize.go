package bench

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// DataSize is how many rows the data-size scenario adds: users of the benchmark's
// application, audit events, tenants, and rows of each of the hot tables (sessions, refresh
// tokens, codes).
type DataSize struct {
	Users       int `json:"users"`
	AuditEvents int `json:"audit_events"`
	Tenants     int `json:"tenants"`
	HotRows     int `json:"hot_rows"`
}

// Grown is what a growth made that the scenario's requests name.
type Grown struct {
	// UserIDs and Emails are some of the grown users, spread over the growth.
	UserIDs, Emails []string
	// UserCursor is a users page_cursor halfway through the growth, in the order by
	// creation; AuditCursor an event halfway through its events.
	UserCursor, AuditCursor string
}

// GrowFunc adds add's rows straight to the benchmarked server's database, the users' emails
// starting with prefix.
type GrowFunc func(ctx context.Context, prefix string, add DataSize) (Grown, error)

// DataSizeResult compares the cost of each request at the small and the grown size.
type DataSizeResult struct {
	Small    DataSize     `json:"small"`
	Grown    DataSize     `json:"grown"`
	Requests int          `json:"requests_per_op"`
	Ops      []DataSizeOp `json:"ops"`
	Load     [2]string    `json:"load_averages"` // while measuring the small size, the grown
	GrowTime [2]float64   `json:"grow_seconds"`
}

// DataSizeOp is one request's median and 90th percentile at each size, and the ratio of the
// medians (grown over small: flat is about 1).
type DataSizeOp struct {
	Name     string  `json:"name"`
	SmallP50 float64 `json:"small_p50_ms"`
	SmallP90 float64 `json:"small_p90_ms"`
	GrownP50 float64 `json:"grown_p50_ms"`
	GrownP90 float64 `json:"grown_p90_ms"`
	Ratio    float64 `json:"ratio"`
	// SmallCPU and GrownCPU are the server process's CPU milliseconds per request, which a
	// loaded machine disturbs less than the latency (on SQLite they include the database's
	// work; on PostgreSQL the database's own processes are not counted); 0 without an admin
	// listener.
	SmallCPU  float64 `json:"small_cpu_ms"`
	GrownCPU  float64 `json:"grown_cpu_ms"`
	CPURatio  float64 `json:"cpu_ratio"`
	SmallErrs int     `json:"small_errors"`
	GrownErrs int     `json:"grown_errors"`
}

// dataOp is a request of the data-size scenario; i numbers the repetition.
type dataOp struct {
	name string
	do   func(ctx context.Context, g Grown, i int) error
}

// runDataSize measures each request at a small size (Opts.DataSize divided by
// Opts.DataSmallFraction), grows the database to Opts.DataSize, and measures again with the
// same server, whose connections and prepared statements were made at the small size.
func runDataSize(ctx context.Context, e *Env) (ScenarioResult, error) {
	res := ScenarioResult{Name: "data-size"}
	if e.Opts.Grow == nil {
		return res, fmt.Errorf("data-size grows the database directly and needs --start")
	}
	full := e.Opts.DataSize
	frac := max(e.Opts.DataSmallFraction, 2)
	small := DataSize{Users: full.Users / frac, AuditEvents: full.AuditEvents / frac, Tenants: full.Tenants / frac, HotRows: full.HotRows / frac}
	rest := DataSize{Users: full.Users - small.Users, AuditEvents: full.AuditEvents - small.AuditEvents,
		Tenants: full.Tenants - small.Tenants, HotRows: full.HotRows - small.HotRows}
	n := max(e.Opts.DataRequests, 5)
	out := &DataSizeResult{Small: small, Grown: full, Requests: n}

	emails, err := e.createUsers(ctx, "datasize", 1, "")
	if err != nil {
		return res, err
	}
	login, err := e.otpLogin(ctx, emails[0])
	if err != nil {
		return res, fmt.Errorf("login: %w", err)
	}
	t0 := time.Now()
	first, err := e.Opts.Grow(ctx, "g1"+e.run, small)
	if err != nil {
		return res, fmt.Errorf("grow to the small size: %w", err)
	}
	out.GrowTime[0] = time.Since(t0).Seconds()
	ops := e.dataOps(first, emails[0], login)
	measure := func() ([][]time.Duration, []float64) {
		all := make([][]time.Duration, len(ops))
		cpu := make([]float64, len(ops))
		for k, op := range ops {
			_ = op.do(ctx, first, 0) // a warm-up request
			var before Counters
			if e.Opts.AdminURL != "" {
				before, _ = ReadCounters(ctx, e.Opts.AdminURL)
			}
			for i := range n {
				start := time.Now()
				if err := op.do(ctx, first, i); err != nil {
					res.Errors++
					if res.FirstError == "" {
						res.FirstError = op.name + ": " + err.Error()
					}
					continue
				}
				all[k] = append(all[k], time.Since(start))
			}
			if e.Opts.AdminURL != "" {
				if after, err := ReadCounters(ctx, e.Opts.AdminURL); err == nil {
					cpu[k] = after.Sub(before).CPUSeconds * 1000 / float64(n)
				}
			}
		}
		return all, cpu
	}
	fmt.Fprintf(e.Opts.Log, "data-size: measuring at the small size\n")
	out.Load[0] = loadAverages()
	smallTimes, smallCPU := measure()
	t0 = time.Now()
	fmt.Fprintf(e.Opts.Log, "data-size: growing by %+v\n", rest)
	second, err := e.Opts.Grow(ctx, "g2"+e.run, rest)
	if err != nil {
		return res, fmt.Errorf("grow: %w", err)
	}
	out.GrowTime[1] = time.Since(t0).Seconds()
	// Deep pages are taken halfway through everything grown.
	first.UserCursor, first.AuditCursor = second.UserCursor, second.AuditCursor
	fmt.Fprintf(e.Opts.Log, "data-size: measuring at the grown size\n")
	out.Load[1] = loadAverages()
	grownTimes, grownCPU := measure()
	for k, op := range ops {
		o := DataSizeOp{Name: op.name, SmallErrs: n - len(smallTimes[k]), GrownErrs: n - len(grownTimes[k])}
		o.SmallP50, o.SmallP90 = quantileMs(smallTimes[k], 0.5), quantileMs(smallTimes[k], 0.9)
		o.GrownP50, o.GrownP90 = quantileMs(grownTimes[k], 0.5), quantileMs(grownTimes[k], 0.9)
		if o.SmallP50 > 0 {
			o.Ratio = o.GrownP50 / o.SmallP50
		}
		o.SmallCPU, o.GrownCPU = smallCPU[k], grownCPU[k]
		if o.SmallCPU > 0 {
			o.CPURatio = o.GrownCPU / o.SmallCPU
		}
		out.Ops = append(out.Ops, o)
	}
	res.DataSize = out
	return res, nil
}

// dataOps are the requests the data-size scenario times. The searches name users of the
// first growth, so that they match as many users at both sizes.
func (e *Env) dataOps(g Grown, email string, login Tokens) []dataOp {
	get := func(path, token string) error {
		return e.Client.JSON(context.Background(), "GET", path, token, nil, nil)
	}
	pick := func(list []string, i int) string { return list[i%len(list)] }
	prefix := strings.SplitN(pick(g.Emails, 1), "@", 2)[0]
	prefix = prefix[:len(prefix)-1] // the users whose number starts as this one's does
	return []dataOp{
		{"get-user-by-id", func(ctx context.Context, g Grown, i int) error {
			return get("/cis/v1/users/"+url.PathEscape(pick(g.UserIDs, i)), e.Token)
		}},
		{"get-user-by-email", func(ctx context.Context, g Grown, i int) error {
			return get("/cis/v1/users/email/"+url.PathEscape(pick(g.Emails, i)), e.Token)
		}},
		{"otp-login", func(ctx context.Context, _ Grown, _ int) error {
			_, err := e.otpLogin(ctx, email)
			return err
		}},
		{"introspect-user-token", func(ctx context.Context, _ Grown, _ int) error {
			var out struct {
				Active bool `json:"active"`
			}
			form := url.Values{"token": {login.AccessToken}}
			if err := e.Client.Form(ctx, "/oidc/token/introspection", e.Opts.ClientID, e.Opts.ClientSecret, form, &out); err != nil {
				return err
			}
			if !out.Active {
				return fmt.Errorf("token reported inactive")
			}
			return nil
		}},
		{"users-first-page", func(ctx context.Context, _ Grown, _ int) error {
			return get("/cis/v1/users?page_limit=100", e.Token)
		}},
		{"users-prefix-search", func(ctx context.Context, _ Grown, _ int) error {
			return get("/cis/v1/users?search_prefix="+url.QueryEscape(prefix), e.Token)
		}},
		{"users-exact-search", func(ctx context.Context, g Grown, i int) error {
			return get("/cis/v1/users?search="+url.QueryEscape(`email eq "`+pick(g.Emails, i)+`"`), e.Token)
		}},
		{"users-sw-search", func(ctx context.Context, _ Grown, _ int) error {
			return get("/cis/v1/users?search="+url.QueryEscape(`email sw "`+prefix+`"`), e.Token)
		}},
		{"users-deep-next-page", func(ctx context.Context, g Grown, _ int) error {
			return get("/cis/v1/users?page_limit=100&page_cursor="+url.QueryEscape(g.UserCursor), e.Token)
		}},
		{"users-count", func(ctx context.Context, _ Grown, _ int) error {
			return get("/cis/v1/users/count", e.Token)
		}},
		{"audit-first-page", func(ctx context.Context, _ Grown, _ int) error {
			return get("/cis/v1/audit?page_limit=100", e.admin)
		}},
		{"audit-filtered-page", func(ctx context.Context, _ Grown, _ int) error {
			return get("/cis/v1/audit?page_limit=100&type=admin.change", e.admin)
		}},
		{"audit-user-page", func(ctx context.Context, g Grown, i int) error {
			return get("/cis/v1/audit?user_id="+url.QueryEscape(pick(g.UserIDs, i)), e.admin)
		}},
		{"audit-deep-next-page", func(ctx context.Context, g Grown, _ int) error {
			return get("/cis/v1/audit?page_limit=100&page_cursor="+url.QueryEscape(g.AuditCursor), e.admin)
		}},
	}
}

func quantileMs(d []time.Duration, q float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(q*float64(len(s))))]) / float64(time.Millisecond)
}

// loadAverages is the machine's 1, 5 and 15 minute load averages, "" where it cannot tell:
// timings on a shared machine mean little without them.
func loadAverages() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// writeDataSize writes the data-size scenario's table.
func writeDataSize(w io.Writer, scenarios []ScenarioResult) error {
	for _, s := range scenarios {
		d := s.DataSize
		if d == nil {
			continue
		}
		fmt.Fprintf(w, "%s: small %+v (load %s), grown %+v (load %s), grown in %.0f+%.0f s, %d requests each\n",
			s.Name, d.Small, d.Load[0], d.Grown, d.Load[1], d.GrowTime[0], d.GrowTime[1], d.Requests)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "request\tsmall p50 ms\tp90 ms\tgrown p50 ms\tp90 ms\tratio\tCPU ms small\tgrown\tCPU ratio\terrors\t")
		for _, o := range d.Ops {
			fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t%.3f\t%.3f\t%s\t%d\t\n", o.Name, o.SmallP50, o.SmallP90, o.GrownP50, o.GrownP90,
				strconv.FormatFloat(o.Ratio, 'f', 2, 64), o.SmallCPU, o.GrownCPU, strconv.FormatFloat(o.CPURatio, 'f', 2, 64), o.SmallErrs+o.GrownErrs)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
