package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/latchkey/latchkey/internal/config"
)

const configCheckHelp = `Check the configuration that serve would run with: the defaults, the configuration
file (--config or LATCHKEY_CONFIG), the LATCHKEY_* environment and these flags, in that
order of precedence. Print every setting with where its value came from, secrets
masked, and exit 1 listing every problem when the configuration is invalid. The output
is YAML that can serve as a configuration file once the masked values are filled in.`

func runConfig(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, "Usage: latchkey config check [flags]\n\n"+configCheckHelp)
			return nil
		}
		return errors.New("usage: latchkey config check [flags]")
	}
	// Every setting is offered as a flag, as serve offers them, so that a command line can be
	// checked before it is used.
	cfg, _, err := loadConfig("config check", configCheckHelp, args[1:], stderr, nil)
	var cerr *config.Error
	if err != nil && !errors.As(err, &cerr) {
		return err // a flag that does not parse, or --help
	}
	if cfg.File != "" {
		fmt.Fprintf(stdout, "# configuration file: %s\n", cfg.File)
	}
	for _, l := range cfg.Effective() {
		// JSON strings are YAML strings, and quote whatever needs it.
		v, _ := json.Marshal(l.Value)
		fmt.Fprintf(stdout, "%s: %s # %s\n", l.Key, v, l.Origin)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "latchkey config check: the configuration is valid")
	return nil
}
