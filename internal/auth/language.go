package auth

import (
	"context"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
)

// Texts returns the wording of messages in every language the deployment speaks.
func (s *Service) Texts() *delivery.Texts { return s.opts.Texts }

// LanguageOf is the language a message to u is written in: the user's own when Latchkey
// speaks it, else the tenant's default, else English. A user nobody is (a decoy's stand-in)
// has no language and gets the tenant's, after the same read. The tenant is read through
// the store's per-node cache, so it costs no statement on a warm node.
func (s *Service) LanguageOf(ctx context.Context, tenantID string, u model.User) string {
	def := ""
	if t, err := s.store.GetTenant(ctx, tenantID); err == nil {
		def = t.DefaultLanguage
	}
	return s.Texts().Choose(u.Language, def)
}
