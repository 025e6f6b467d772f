package main

import (
	"expvar"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/latchkey/latchkey/internal/bench"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// adminStore is the store whose counters /debug/vars publishes. expvar names are global to the
// process, so they are published once and read whichever store serves now.
var (
	adminStore   atomic.Pointer[sqlstore.Store]
	publishAdmin sync.Once
)

// adminAddr puts an address without a host on loopback: the listener exposes profiles and
// internals, which must not reach the network unless a host is named on purpose.
func adminAddr(s string) string {
	if !strings.Contains(s, ":") {
		return "127.0.0.1:" + s
	}
	if strings.HasPrefix(s, ":") {
		return "127.0.0.1" + s
	}
	return s
}

// listenAdmin binds the operator listener on addr; an empty addr binds nothing (nil). It is
// bound with the API's listener, before the database is touched, so that a busy port stops
// the start-up before anything is created.
func listenAdmin(addr string) (net.Listener, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", adminAddr(addr))
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s (LATCHKEY_ADMIN_LISTEN): %w", adminAddr(addr), err)
	}
	return ln, nil
}

// serveAdmin serves /debug/pprof/*, /debug/vars and, when metrics is not nil, /metrics on ln;
// a nil ln serves nothing. It returns the function that stops the listener.
func serveAdmin(ln net.Listener, store *sqlstore.Store, log *slog.Logger, metrics http.Handler) func() {
	if ln == nil {
		return func() {}
	}
	adminStore.Store(store)
	publishAdmin.Do(func() {
		expvar.Publish(bench.VarStatements, expvar.Func(func() any { s, _ := storeStats(); return s }))
		expvar.Publish(bench.VarTransactions, expvar.Func(func() any { _, t := storeStats(); return t }))
		expvar.Publish(bench.VarCPUSeconds, expvar.Func(func() any { return cpuSeconds() }))
	})
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	// No /debug/pprof/cmdline: the command line may carry secrets given as flags.
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/vars", serveVars)
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	// A CPU profile or trace runs for as long as it was asked; no write timeout.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Info("admin listener ready", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }
}

func storeStats() (statements, transactions int64) {
	s := adminStore.Load()
	if s == nil {
		return 0, 0
	}
	return s.Stats()
}

// cpuSeconds is the user and system CPU time the process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// serveVars writes the published variables like expvar.Handler, except "cmdline": the command
// line may carry secrets given as flags (--master-key, provider tokens, URLs with passwords).
func serveVars(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	fmt.Fprintf(w, "{\n")
	first := true
	expvar.Do(func(kv expvar.KeyValue) {
		if kv.Key == "cmdline" {
			return
		}
		if !first {
			fmt.Fprintf(w, ",\n")
		}
		first = false
		fmt.Fprintf(w, "%q: %s", kv.Key, kv.Value)
	})
	fmt.Fprintf(w, "\n}\n")
}
