// Command latchkey is the Latchkey authentication server and its operations tool.
//
// It is the only package that knows the concrete storage backend, delivery providers and
// configuration: it reads the configuration, opens the store, builds the services and starts the
// listener.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

// command is one subcommand of the latchkey binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the server (the default when no command is given)", runServe},
		{"init", "create a tenant with its management and demo applications and print their credentials", runInit},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"backup", "write a consistent copy of a running SQLite database", runBackup},
		{"users", "export or import users with their credentials (users export, users import)", runUsers},
		{"keys", "manage token-signing keys (keys rotate)", runKeys},
		{"bench", "measure a Latchkey's throughput, latency and SQL work per request", runBench},
		{"config", "print the effective configuration, secrets masked, and check it (config check)", runConfig},
		{"health", "exit 0 when a running server answers ready, 1 otherwise (container health checks)", runHealth},
		{"version", "print the version", runVersion},
	}
}

// settingFlags names, for each command that reads the configuration, the settings it takes as
// flags: those it acts on. A command not listed (serve, bench) takes every setting. The others
// read the rest from the environment, which they share with the server, and refuse them as
// flags, so that `keys rotate --listen ...` is an error rather than a flag silently ignored.
var settingFlags = map[string][]string{
	"init":        {"mode", "database", "master-key", "master-key-file", "public-url", "log-level", "log-format"},
	"migrate":     {"database"},
	"keys rotate": {"mode", "database", "master-key", "master-key-file", "log-level", "log-format"},
	"keys reseal": {"mode", "database", "master-key", "master-key-file", "log-level", "log-format"},
}

// helpAsked records that the command line asked for help, so usage goes to helpOut, the
// command's standard output.
var (
	helpAsked bool
	helpOut   io.Writer = os.Stdout
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "serve"
	if len(args) > 0 && !isFlag(args[0]) {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	helpOut = stdout
	helpAsked = slices.ContainsFunc(args, func(a string) bool {
		return a == "-h" || a == "-help" || a == "--help" || a == "--h"
	})
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, args, stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		default:
			fmt.Fprintf(stderr, "latchkey %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "latchkey: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func isFlag(s string) bool { return len(s) > 0 && s[0] == '-' && s != "-h" && s != "--help" }

func usage(w io.Writer) {
	fmt.Fprintln(w, "Latchkey: a self-hostable backend authentication server.")
	fmt.Fprintln(w, "\nUsage: latchkey <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'latchkey <command> --help' for a command's flags. Every setting can also be given")
	fmt.Fprintln(w, "as a LATCHKEY_* environment variable, named in the flag's help, or in a YAML file named by")
	fmt.Fprintln(w, "--config or LATCHKEY_CONFIG (flags win over the environment, which wins over the file); a")
	fmt.Fprintln(w, "command takes as flags only the settings it acts on, and reads the others from there.")
}

// newFlagSet returns a command's flag set. Help that was asked for goes to standard output (so
// that it can be paged); a usage shown because of a flag error goes to standard error.
func newFlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("latchkey "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		out := stderr
		if helpAsked {
			out = helpOut
		}
		fmt.Fprintf(out, "Usage: latchkey %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.SetOutput(out)
		fs.PrintDefaults()
		fs.SetOutput(stderr)
	}
	return fs
}

type flagSet = flag.FlagSet
