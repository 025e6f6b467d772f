package tenancy

import (
	"context"
	"regexp"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// TenantSettings are what a tenant's administrators may change about the tenant itself.
type TenantSettings struct {
	// DefaultLanguage is the language of messages to users without one Latchkey speaks; empty
	// is English.
	DefaultLanguage string
}

// Tenant returns the caller's tenant.
func (s *Service) Tenant(ctx context.Context, c model.Caller) (model.Tenant, error) {
	t, err := s.store.GetTenant(ctx, c.TenantID)
	if err != nil {
		return t, fault.Wrap(err, "get tenant")
	}
	return t, nil
}

// Languages lists the languages messages can be written in (nil when any tag is accepted).
func (s *Service) Languages() []string {
	if s.langs == nil {
		return nil
	}
	return s.langs.Languages()
}

var languageTag = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// UpdateTenant changes the caller's tenant's settings.
func (s *Service) UpdateTenant(ctx context.Context, c model.Caller, in TenantSettings) (model.Tenant, error) {
	lang := strings.TrimSpace(in.DefaultLanguage)
	if lang != "" {
		if !languageTag.MatchString(lang) {
			return model.Tenant{}, fault.Validation("default_language must be a language tag such as de or pt-BR")
		}
		if s.langs != nil && !s.langs.Speaks(lang) {
			return model.Tenant{}, fault.Validation("default_language: messages cannot be written in " + lang +
				"; the languages are " + strings.Join(s.langs.Languages(), ", ") + " (add one with a texts file)")
		}
	}
	var out model.Tenant
	err := s.store.UpdateTenant(ctx, c.TenantID, func(t model.Tenant) (model.Tenant, error) {
		t.DefaultLanguage = lang
		out = t
		return t, nil
	})
	if err != nil {
		return model.Tenant{}, fault.Wrap(err, "update tenant")
	}
	return out, nil
}
