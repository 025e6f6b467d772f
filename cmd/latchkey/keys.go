package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/latchkey/latchkey/internal/model"
)

const keysHelp = `Rotate token-signing keys: the published validating key starts signing, the
signing key is disabled but stays published until its tokens expire, and a new
validating key is published.

Without --tenant, the deployment's keys are rotated: every tenant without keys of
its own signs with them. --tenant rotates the keys of a tenant that has its own;
--own-keys gives a tenant keys of its own (signing at once), --shared-keys makes
it sign with the deployment's keys again. --all rotates the deployment's keys and
those of every tenant that has its own.`

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "reseal" {
		return runReseal(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "rotate" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, "Usage: latchkey keys rotate [flags]\n       latchkey keys reseal [flags]\n\nrotate: "+keysHelp+"\n\nreseal: "+resealSummary)
			return nil
		}
		return errors.New("usage: latchkey keys rotate [--tenant NAME [--own-keys|--shared-keys]] [--all] [--algorithm ALG], or latchkey keys reseal --new-master-key-file FILE")
	}
	var tenant, alg string
	var all, own, shared bool
	cfg, _, err := loadConfig("keys rotate", keysHelp, args[1:], stderr, func(fs *flagSet) {
		fs.StringVar(&tenant, "tenant", "", "name or id of a tenant whose own keys to rotate (default: the deployment's keys)")
		fs.BoolVar(&all, "all", false, "rotate the deployment's keys and those of every tenant with keys of its own")
		fs.BoolVar(&own, "own-keys", false, "with --tenant: give the tenant keys of its own, or rotate them")
		fs.BoolVar(&shared, "shared-keys", false, "with --tenant: retire the tenant's own keys; it signs with the deployment's keys again")
		fs.StringVar(&alg, "algorithm", "", "switch the rotated keys to this signing algorithm (RS256, ES256 or EdDSA)")
	})
	if err != nil {
		return err
	}
	if alg != "" && alg != model.AlgRS256 && alg != model.AlgES256 && alg != model.AlgEdDSA {
		return fmt.Errorf("algorithm must be RS256, ES256 or EdDSA, not %q", alg)
	}
	if (own || shared) && (tenant == "" || all || (own && shared)) {
		return errors.New("--own-keys and --shared-keys take one of them and --tenant, without --all")
	}
	if tenant != "" && all {
		return errors.New("--tenant and --all exclude each other")
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	owners, err := a.tokens.OwnKeyTenants(ctx)
	if err != nil {
		return err
	}
	if tenant == "" {
		if err := a.tokens.RotateDeployment(ctx, alg); err != nil {
			return fmt.Errorf("rotate the deployment's keys: %w", err)
		}
		fmt.Fprintln(stdout, "rotated the deployment's signing keys")
		if !all {
			return nil
		}
		for _, id := range owners {
			t, err := a.store.GetTenant(ctx, id)
			if err != nil {
				return fmt.Errorf("find tenant %s: %w", id, err)
			}
			if err := rotateTenant(ctx, a, t, alg, stdout); err != nil {
				return err
			}
		}
		return nil
	}
	t, err := findTenant(ctx, a.store, tenant)
	if err != nil {
		return err
	}
	hasOwn := slices.Contains(owners, t.ID)
	switch {
	case shared:
		if err := a.tokens.ShareKeys(ctx, t.ID); err != nil {
			return fmt.Errorf("share keys with %s: %w", t.Name, err)
		}
		fmt.Fprintf(stdout, "tenant %s (%s) signs with the deployment's keys\n", t.Name, t.ID)
		return nil
	case !hasOwn && !own:
		return fmt.Errorf("tenant %s signs with the deployment's keys: rotate those by leaving out --tenant, or give it keys of its own with --own-keys", t.Name)
	}
	return rotateTenant(ctx, a, t, alg, stdout)
}

// rotateTenant rotates a tenant's own keys, creating them if it has none, after switching its
// algorithm when alg asks for another.
func rotateTenant(ctx context.Context, a *app, t model.Tenant, alg string, stdout io.Writer) error {
	if alg != "" && alg != t.SigningAlg {
		err := a.store.UpdateTenant(ctx, t.ID, func(t model.Tenant) (model.Tenant, error) {
			t.SigningAlg = alg
			return t, nil
		})
		if err != nil {
			return fmt.Errorf("set algorithm of %s: %w", t.Name, err)
		}
	}
	if err := a.tokens.Rotate(ctx, t.ID); err != nil {
		return fmt.Errorf("rotate keys of %s: %w", t.Name, err)
	}
	fmt.Fprintf(stdout, "rotated the own signing keys of tenant %s (%s)\n", t.Name, t.ID)
	return nil
}
