package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/latchkey/latchkey/internal/config"
)

const healthSummary = `Ask a running Latchkey whether it is ready, and exit 0 when it answers 200, 1
otherwise. It is the container health check: distroless and scratch images have
no shell or curl. Without --url it asks /readyz at the address of LATCHKEY_LISTEN
(a wildcard host becomes loopback), the node it runs beside.`

func runHealth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var target string
	var timeout time.Duration
	fs := newFlagSet("health", healthSummary, stderr)
	fs.StringVar(&target, "url", "", "URL to ask (default: http://<LATCHKEY_LISTEN>/readyz)")
	fs.DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if target == "" {
		// The listen address is read here rather than through the whole configuration: a
		// probe that runs every few seconds needs the address, not the master key or SMTP.
		listen := os.Getenv("LATCHKEY_LISTEN")
		if listen == "" {
			listen = config.Default().Listen
		}
		u, err := readyURL(listen)
		if err != nil {
			return err
		}
		target = u
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("health URL: %w", err)
	}
	req.Header.Set("User-Agent", "latchkey-health")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("not healthy: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("not healthy: %s answered %s", target, res.Status)
	}
	fmt.Fprintf(stdout, "%s answered %s\n", target, res.Status)
	return nil
}

// readyURL is the /readyz URL of a server listening on addr, reached from the same host: a
// wildcard or missing host is replaced by loopback.
func readyURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("LATCHKEY_LISTEN %q is not host:port: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0", "localhost":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz", nil
}
