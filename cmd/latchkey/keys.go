package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "reseal" {
		return runReseal(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "rotate" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, "Usage: latchkey keys rotate [flags]\n       latchkey keys reseal [flags]\n\nrotate: rotate token-signing keys: the published validating key starts signing, the\nsigning key is disabled but stays published until its tokens expire, and a new\nvalidating key is published.\n\nreseal: "+resealSummary)
			return nil
		}
		return errors.New("usage: latchkey keys rotate [--tenant NAME] [--all], or latchkey keys reseal --new-master-key-file FILE")
	}
	var tenant, alg string
	var all bool
	cfg, _, err := loadConfig("keys rotate", "Rotate token-signing keys: the published validating key starts signing, the\nsigning key is disabled but stays published until its tokens expire, and a new\nvalidating key is published.", args[1:], stderr, func(fs *flagSet) {
		fs.StringVar(&tenant, "tenant", "default", "name or id of the tenant whose keys to rotate")
		fs.BoolVar(&all, "all", false, "rotate the keys of every tenant")
		fs.StringVar(&alg, "algorithm", "", "switch the tenant to this signing algorithm (RS256, ES256 or EdDSA) with this rotation")
	})
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	var tenants []model.Tenant
	if all {
		tenants, err = a.store.ListTenants(ctx)
	} else {
		var t model.Tenant
		t, err = a.store.GetTenantByName(ctx, tenant)
		if errors.Is(err, storage.ErrNotFound) {
			t, err = a.store.GetTenant(ctx, tenant)
		}
		tenants = []model.Tenant{t}
	}
	if err != nil {
		return fmt.Errorf("find tenant: %w", err)
	}
	if alg != "" && alg != model.AlgRS256 && alg != model.AlgES256 && alg != model.AlgEdDSA {
		return fmt.Errorf("algorithm must be RS256, ES256 or EdDSA, not %q", alg)
	}
	for _, t := range tenants {
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
		fmt.Fprintf(stdout, "rotated signing keys of tenant %s (%s)\n", t.Name, t.ID)
	}
	return nil
}
