package main

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/portal"
	"github.com/latchkey/latchkey/internal/tenancy"
)

func runInit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var asJSON, rotate, adminLink, operatorLink bool
	var tenant string
	cfg, _, err := loadConfig("init", "Create (or find) a tenant with a management application and a demo application,\nand print their ids and secrets. Secrets of an existing tenant are printed only with --rotate-secrets.", args, stderr, func(fs *flagSet) {
		fs.BoolVar(&asJSON, "json", false, "print one JSON object instead of text")
		fs.StringVar(&tenant, "tenant", "default", "name of the tenant")
		fs.BoolVar(&rotate, "rotate-secrets", false, "issue new secrets for an existing tenant's admin and demo clients")
		fs.BoolVar(&operatorLink, "operator-link", false, "print a one-time link that signs the deployment's operator in to the admin portal's\ntenant pages, where they create tenants (a new link ends earlier ones and their sessions)")
		fs.BoolVar(&adminLink, "admin-link", false, "print a new one-time link that sets up an administrator of the admin portal\n(a new tenant always gets one; a new link spends the previous one)")
	})
	if err != nil {
		return err
	}
	tenant = strings.TrimSpace(tenant)
	if tenant == "" {
		return fault.Validation("tenant name must not be empty")
	}
	log := newLogger(cfg, stderr)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if operatorLink {
		token, err := a.admins.NewOperatorLink(ctx)
		if err != nil {
			return err
		}
		link := strings.TrimRight(cfg.PublicURL, "/") + portal.Prefix + "/operator?token=" + url.QueryEscape(token)
		if asJSON {
			return json.NewEncoder(stdout).Encode(map[string]string{"operator_url": link})
		}
		printOperatorLink(stdout, link)
		return nil
	}
	b, err := a.tenancy.Bootstrap(ctx, tenant, rotate)
	if err != nil {
		return err
	}
	var link string
	if b.Created || adminLink {
		if link, err = a.adminSetupLink(ctx, b.TenantID); err != nil {
			return err
		}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(struct {
			tenancy.Bootstrap
			AdminSetupURL string `json:"admin_setup_url,omitempty"`
		}{b, link})
	}
	if !b.Created && !rotate && link != "" {
		printAdminLink(stdout, link)
		return nil
	}
	printBootstrap(stdout, tenant, b, cfg.PublicURL, link)
	return nil
}
