package passwords

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/storage"
)

// RegisterOwnPassword registers the first password of the user a user access token speaks for
// (Mosaic's POST /v1/users/me/password-credentials). It is the user's own choice, so it is
// not temporary, and it must meet the application's complexity policy. The user may name
// their username; a user without one and without a username given gets their verified email
// address as their username, so that they can log in with it as Mosaic's users do. The rule
// about shared users applies as for the application's own client: the token comes from a login
// the application may have run itself.
func (s *Service) RegisterOwnPassword(ctx context.Context, u auth.UserCaller, password, username string) error {
	if username == "" {
		cur, err := s.store.GetUser(ctx, u.TenantID, u.UserID)
		if errors.Is(err, storage.ErrNotFound) {
			return errUserNotFound
		} else if err != nil {
			return fault.Wrap(err, "get user")
		}
		if cur.Username == "" && cur.Email != "" && cur.EmailVerifiedAt != nil {
			username = cur.Email
		}
	}
	return s.RegisterPassword(ctx, u.Caller, PasswordRegister{
		UserID: u.UserID, Password: password, Username: username, EnforceComplexity: true,
	})
}
