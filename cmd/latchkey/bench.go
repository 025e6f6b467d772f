package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/bench"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// benchFlags are the bench command's settings.
type benchFlags struct {
	url, adminURL                    string
	clientID, clientSecret           string
	adminClientID, adminClientSecret string
	appID, redirectURI               string
	floodClientID, floodClientSecret string
	floodConnections                 int
	start                            bool
	database                         string
	nodes                            int
	connections, users, pairs        int
	rounds                           int
	duration, warmup                 time.Duration
	scenarios                        string
	asJSON, floor, halfPeak          bool
	algorithm, passwordHash          string
	passwordWorkers, passwordQueue   int
	serverCPU, loadCPU               string
	floorServe, floorDatabase        string
	tenants, addTenants              int
	data                             dataSizeFlags
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f benchFlags
	fs := newFlagSet("bench", "Measure a Latchkey: drive a running server (--url) or start one on a temporary\ndatabase (--start) with a fixed number of connections for a fixed time, and report\nthroughput, latency, errors, server CPU and SQL work per request for each scenario,\nthen the latency at a fixed arrival rate of half that throughput. enumeration-timing\ninstead compares, route by route, requests for known and unknown users.\nScenarios: "+scenarioNames()+".", stderr)
	fs.StringVar(&f.url, "url", "", "base URL of a running Latchkey (instead of --start)")
	fs.StringVar(&f.adminURL, "admin-url", "", "base URL of its admin listener, for the SQL and CPU counters")
	fs.StringVar(&f.clientID, "client-id", "", "client of the application to benchmark")
	fs.StringVar(&f.clientSecret, "client-secret", "", "its secret")
	fs.StringVar(&f.adminClientID, "admin-client-id", "", "admin client (to raise send limits and add the magic-link redirect URI)")
	fs.StringVar(&f.adminClientSecret, "admin-client-secret", "", "its secret")
	fs.StringVar(&f.appID, "app-id", "", "the client's application (default: found through the admin API)")
	fs.StringVar(&f.floodClientID, "flood-client-id", "", "client of a second tenant, to flood password logins in the password-fairness scenario (--start makes one)")
	fs.StringVar(&f.floodClientSecret, "flood-client-secret", "", "its secret")
	fs.IntVar(&f.floodConnections, "flood-connections", 80, "connections of the second tenant's flood in the password-fairness scenario")
	fs.StringVar(&f.redirectURI, "redirect-uri", "http://localhost:3000/callback", "redirect URI of the magic links (added to the client when missing)")
	fs.BoolVar(&f.start, "start", false, "start a Latchkey on a temporary database, with an admin listener")
	fs.StringVar(&f.database, "database", "", "with --start: a postgres:// URL instead of a temporary SQLite file")
	fs.IntVar(&f.nodes, "nodes", 1, "with --start and a postgres:// --database: start this many servers on the database and deal the connections to them round robin, reporting each node's counters")
	fs.IntVar(&f.connections, "connections", 8, "concurrent connections")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "timed window of each scenario")
	fs.DurationVar(&f.warmup, "warmup", 2*time.Second, "warm-up before each timed window (not counted)")
	fs.StringVar(&f.scenarios, "scenarios", "", "comma-separated scenarios (default: all)")
	fs.IntVar(&f.users, "users", 1000, "users in each send-and-redeem scenario's pool (each may be sent 1000 codes an hour and 100 links a minute)")
	fs.IntVar(&f.pairs, "pairs", 1000, "enumeration-timing: pairs of requests (a known user's and an unknown one's) timed on each route")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON instead of a table")
	fs.BoolVar(&f.halfPeak, "half-peak", true, "after each timed window, drive the scenario open-loop at half the iterations per second it reached, for as long, and report the latency from each iteration's scheduled start")
	fs.BoolVar(&f.floor, "floor", false, "also measure each scenario's floor: a minimal HTTP handler plus the signatures and hashes it cannot avoid")
	fs.IntVar(&f.rounds, "rounds", 5, "with --floor: cut each scenario's timed window into this many rounds, each followed by a round of its floors, so that both are measured through the same stretches of a noisy machine (1: one window each)")
	fs.StringVar(&f.algorithm, "algorithm", "RS256", "signing algorithm: of the started server's tenant, and of the floor (RS256 or ES256)")
	fs.StringVar(&f.passwordHash, "password-hash", password.DefaultParams().String(), "argon2id parameters of the started server and of the floor")
	fs.IntVar(&f.passwordWorkers, "password-workers", 0, "with --start: the server's password hashing workers (0: its default, one per CPU)")
	fs.IntVar(&f.passwordQueue, "password-queue", 0, "with --start: password checks that may wait for a worker (0: its default, 32 per worker)")
	fs.StringVar(&f.serverCPU, "server-cpu", "", "CPU list (taskset -c syntax) to pin the started server and the floor server to")
	fs.StringVar(&f.loadCPU, "load-cpu", "", "CPU list to pin the load generator to")
	fs.StringVar(&f.floorServe, "floor-serve", "", "")
	fs.StringVar(&f.floorDatabase, "floor-database", "", "")
	fs.IntVar(&f.tenants, "tenants", 0, "with --start: run the client-credentials and jwks scenarios (or --scenarios) with the tenants --start made, then again after adding this many less one, and compare; JWKS size and build cost are reported for both")
	fs.IntVar(&f.addTenants, "add-tenants", -1, "")
	f.data.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	params, err := password.ParseParams(f.passwordHash)
	if err != nil {
		return fmt.Errorf("password hash: %w", err)
	}
	if f.floorServe != "" {
		return serveFloor(ctx, f.floorServe, f.floorDatabase, f.algorithm, params, stdout)
	}
	if f.addTenants >= 0 {
		return addTenants(ctx, f.addTenants, stdout, stderr)
	}
	if err := f.validate(); err != nil {
		return err
	}
	o := bench.Options{
		URL: f.url, AdminURL: f.adminURL, ClientID: f.clientID, ClientSecret: f.clientSecret,
		AdminClientID: f.adminClientID, AdminClientSecret: f.adminClientSecret, AppID: f.appID,
		RedirectURI: f.redirectURI, Users: f.users, Pairs: f.pairs, Algorithm: f.algorithm, HalfPeak: f.halfPeak, Log: stderr,
		Rounds:        f.rounds,
		Load:          bench.Load{Connections: f.connections, Warmup: f.warmup, Duration: f.duration},
		FloodClientID: f.floodClientID, FloodClientSecret: f.floodClientSecret, FloodConnections: f.floodConnections,
	}
	if f.scenarios != "" {
		o.Scenarios = strings.Split(f.scenarios, ",")
	}
	if _, err := bench.Select(o.Scenarios); err != nil {
		return err
	}
	var info *bench.ServerInfo
	var server *benchProcess
	if f.start {
		s, err := startBenchServer(ctx, f, stderr)
		if err != nil {
			return err
		}
		defer s.stop()
		server = s
		o.URL, o.AdminURL, o.AppID = s.url, s.adminURL, s.boot.AppID
		o.ClientID, o.ClientSecret = s.boot.ClientID, s.boot.ClientSecret
		o.AdminClientID, o.AdminClientSecret = s.boot.AdminClientID, s.boot.AdminClientSecret
		o.FloodClientID, o.FloodClientSecret = s.flood.ClientID, s.flood.ClientSecret
		info = &s.info
		if len(s.more) > 0 {
			for _, n := range append([]*benchProcess{s}, s.more...) {
				o.Nodes = append(o.Nodes, bench.Node{URL: n.url, AdminURL: n.adminURL})
			}
		}
	}
	if f.floor {
		fl, err := startFloorServer(ctx, f, stderr)
		if err != nil {
			return err
		}
		defer fl.stop()
		o.FloorURL, o.FloorCommits = fl.url, f.start
	}
	if f.loadCPU != "" {
		if err := pinSelf(f.loadCPU); err != nil {
			return err
		}
	}
	f.data.apply(&o, server)
	if f.tenants > 0 {
		return runTenantScale(ctx, f, o, server, stdout, stderr)
	}
	rep, err := bench.Run(ctx, o)
	if info != nil {
		info.ServerCPUs, info.LoadCPUs = f.serverCPU, f.loadCPU
		rep.Server = info
	}
	if err != nil {
		return err
	}
	if f.asJSON {
		return rep.WriteJSON(stdout)
	}
	return rep.WriteTable(stdout)
}

func (f benchFlags) validate() error {
	var p []string
	if f.start == (f.url != "") {
		p = append(p, "give exactly one of --start and --url")
	}
	if !f.start && (f.clientID == "" || f.clientSecret == "" || f.adminClientID == "" || f.adminClientSecret == "") {
		p = append(p, "--url needs --client-id, --client-secret, --admin-client-id and --admin-client-secret")
	}
	if f.database != "" && !f.start {
		p = append(p, "--database applies only with --start")
	}
	if (f.floodClientID == "") != (f.floodClientSecret == "") {
		p = append(p, "give both --flood-client-id and --flood-client-secret, or neither")
	}
	if f.floodConnections < 1 {
		p = append(p, "--flood-connections must be positive")
	}
	if f.pairs < 1 {
		p = append(p, "--pairs must be positive")
	}
	if f.rounds < 1 {
		p = append(p, "--rounds must be positive")
	}
	if f.connections < 1 || f.duration <= 0 || f.warmup < 0 {
		p = append(p, "--connections and --duration must be positive, --warmup not negative")
	}
	if f.tenants < 0 || (f.tenants > 0 && !f.start) {
		p = append(p, "--tenants needs --start and must not be negative")
	}
	switch {
	case f.nodes < 1:
		p = append(p, "--nodes must be positive")
	case f.nodes > 1 && (!f.start || !sqlstore.IsPostgres(f.database)):
		p = append(p, "--nodes above 1 needs --start with a postgres:// --database: a SQLite database is one process's file")
	case f.nodes > 1 && f.tenants > 0:
		p = append(p, "--nodes and --tenants do not go together")
	}
	if f.algorithm != "RS256" && f.algorithm != "ES256" {
		p = append(p, "--algorithm must be RS256 or ES256")
	}
	if len(p) > 0 {
		return errors.New(strings.Join(p, "; "))
	}
	return nil
}

func scenarioNames() string {
	var n []string
	for _, s := range bench.Scenarios() {
		n = append(n, s.Name)
	}
	return strings.Join(n, ", ")
}

// serveFloor runs the floor server on addr until ctx ends. It is what --floor starts as a
// separate process, so that it can be pinned like the server. With a database (a SQLite path
// or a postgres:// URL) its requests can also commit (sqlstore.CommitFloor).
func serveFloor(ctx context.Context, addr, database, alg string, params password.Params, stdout io.Writer) error {
	var commit func(context.Context) error
	if database != "" {
		cf, err := sqlstore.OpenCommitFloor(ctx, database)
		if err != nil {
			return fmt.Errorf("floor database: %w", err)
		}
		defer cf.Close(context.WithoutCancel(ctx))
		commit = cf.Commit
	}
	h, err := bench.FloorHandler(alg, params, commit)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("floor listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	fmt.Fprintln(stdout, "floor ready", ln.Addr().String())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
