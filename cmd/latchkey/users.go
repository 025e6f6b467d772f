package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/latchkey/latchkey/internal/transfer"
)

const usersExportHelp = `Write every user of a tenant, with their application links and everything they
sign in with, as JSON lines (one user per line) to --output or standard output.

THE EXPORT IS SECRET. It holds password hashes and TOTP keys in the clear (opened
with this deployment's master key, so that any deployment can import them), which
sign a user in as surely as their authenticator app does. Write it to a file only
you can read, move it over an encrypted channel, and delete it after the import.`

const usersImportHelp = `Import users written by 'latchkey users export' into a tenant, in one transaction:
every line is checked first, and a bad line (named by its number), a missing
application or a user who already exists stores nothing. Applications are found
by id, or else by name: create them in the tenant first. TOTP keys are sealed
under this deployment's master key. Recovery codes carry over only when this
deployment has the master key they were exported under; with
--drop-recovery-codes they are left out instead.

Give FILE (or - for standard input) after the flags.`

func runUsers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := "usage: latchkey users export [--tenant NAME|ID] [--output FILE], or latchkey users import [--tenant NAME|ID] [--drop-recovery-codes] FILE"
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "export":
		return runUsersExport(ctx, args[1:], stdout, stderr)
	case "import":
		return runUsersImport(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "-help":
		fmt.Fprintln(stdout, "Usage: latchkey users export [flags]\n       latchkey users import [flags] FILE\n\nexport: "+usersExportHelp+"\n\nimport: "+usersImportHelp)
		return nil
	}
	return errors.New(usage)
}

func runUsersExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var tenant, output string
	cfg, rest, err := loadConfig("users export", usersExportHelp, args, stderr, func(fs *flagSet) {
		fs.StringVar(&tenant, "tenant", "default", "name or id of the tenant whose users to export")
		fs.StringVar(&output, "output", "", "file to write (created with owner-only permissions; must not exist); standard output when empty")
	})
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := findTenant(ctx, a.store, tenant)
	if err != nil {
		return err
	}
	w := stdout
	if output != "" {
		f, err := os.OpenFile(output, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("create %s: %w", output, err)
		}
		defer f.Close()
		w = f
	}
	n, err := transfer.Export(ctx, a.store, a.keys, t.ID, w)
	if err != nil {
		return err
	}
	if output != "" {
		fmt.Fprintf(stdout, "exported %d users of tenant %s to %s; the file is secret (password hashes, TOTP keys)\n", n, t.Name, output)
	}
	return nil
}

func runUsersImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var tenant string
	var drop bool
	cfg, rest, err := loadConfig("users import", usersImportHelp, args, stderr, func(fs *flagSet) {
		fs.StringVar(&tenant, "tenant", "default", "name or id of the tenant to import into")
		fs.BoolVar(&drop, "drop-recovery-codes", false, "leave out recovery codes exported under another master key instead of refusing the import")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("give one FILE to import (- for standard input)")
	}
	in := io.Reader(os.Stdin)
	if rest[0] != "-" {
		f, err := os.Open(rest[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := findTenant(ctx, a.store, tenant)
	if err != nil {
		return err
	}
	res, err := transfer.Import(ctx, a.store, a.keys, t.ID, in, transfer.ImportOptions{DropRecoveryCodes: drop})
	if err != nil {
		return fmt.Errorf("nothing was imported: %w", err)
	}
	fmt.Fprintf(stdout, "imported %d users (%d application links, %d credentials) into tenant %s\n", res.Users, res.Links, res.Credentials, t.Name)
	if res.DroppedRecoveryCodes > 0 {
		fmt.Fprintf(stdout, "left out %d recovery codes hashed under another master key; their users generate new ones\n", res.DroppedRecoveryCodes)
	}
	return nil
}
