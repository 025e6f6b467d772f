package grant

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// RefreshRequest exchanges a refresh token for a new token response.
type RefreshRequest struct {
	RefreshToken string
	Claims       auth.ClaimsRequest
	// Scope, when set, narrows the new access token's scope to part of what the login
	// granted (RFC 6749 section 6); the refresh token keeps the whole.
	Scope string
}

var errInvalidGrant = fault.New(fault.Invalid, "invalid_grant", "refresh token is invalid, expired or revoked")

// rotation is what the compare-and-swap on a refresh token decided.
type rotation int

const (
	rotateDead   rotation = iota // revoked or expired
	rotateNow                    // this call rotates the token
	rotateGrace                  // a concurrent refresh rotated it moments ago
	rotateReused                 // rotated long ago: a replay, so the family is revoked
)

// Refresh rotates a refresh token and returns fresh tokens for its session. The presented
// token is replaced by a successor derived from it; presenting it again within the grace
// window returns the same successor (concurrent refreshes), and after the window revokes the
// whole family and ends the session (a replayed, presumably stolen, token).
func (s *Service) Refresh(ctx context.Context, c model.Caller, req RefreshRequest) (auth.TokenResponse, error) {
	raw := strings.TrimSpace(req.RefreshToken)
	if raw == "" {
		return auth.TokenResponse{}, fault.Validation("refresh_token is required")
	}
	if err := auth.CheckClaims(req.Claims); err != nil {
		return auth.TokenResponse{}, err
	}
	if _, err := auth.ParseScope(req.Scope); err != nil {
		return auth.TokenResponse{}, err
	}
	if !strings.HasPrefix(raw, secret.RefreshTokenPrefix) {
		return auth.TokenResponse{}, errInvalidGrant
	}
	hash := s.keys.HashRefreshToken(raw)
	now := s.core.Now()
	successor := s.keys.SuccessorRefreshToken(raw)
	var is auth.Issued
	var failure error
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		failure = nil
		rt, outcome, nextID, err := s.rotate(ctx, tx, c, hash, now)
		if err != nil {
			return err
		}
		switch outcome {
		case rotateDead:
			failure = errInvalidGrant
			return nil
		case rotateReused:
			failure = errInvalidGrant
			if err := s.core.EndSession(ctx, tx, rt.TenantID, rt.SessionID, now); err != nil {
				return err
			}
			return s.core.Record(ctx, tx, c, auth.Event{Type: model.EventTokenReuse, UserID: rt.UserID, Err: failure,
				Details: map[string]any{"session_ref": rt.SessionID}}, now)
		}
		sess, err := s.core.TouchSession(ctx, tx, rt.TenantID, rt.SessionID, now)
		if err != nil {
			if fault.Is(err, fault.Invalid) {
				failure = errInvalidGrant
				return nil
			}
			return err
		}
		if is, err = s.core.IssueFor(ctx, tx, sess, rt.ClientID, rt.Resource, false); err != nil {
			if errors.Is(err, auth.ErrNotLinked) || auth.OrgRefused(err) {
				failure = errInvalidGrant
				return nil
			}
			return err
		}
		// A resource taken from the client since the login is not refreshed into.
		if rt.Resource != "" && rt.Resource != auth.DefaultAudience {
			if _, err := s.core.Audience(ctx, is.Client, rt.Resource); fault.Is(err, fault.Invalid) {
				failure = errInvalidGrant
				return nil
			} else if err != nil {
				return err
			}
		}
		// The client was given the session's id with the token family's first token, so the
		// answer carries it again (Mosaic's ApiTokenResponse requires session_id); sessions
		// begun before the id was kept sealed have none to give.
		if is.SessionID, err = s.core.SessionIDOf(sess); err != nil {
			return err
		}
		is.Refresh = successor
		granted := rt.Scope
		if granted == "" {
			granted = auth.DefaultUserScope // families begun before scopes were kept
		}
		// A scope beyond the login's is refused, and the rotation with it: the error rolls
		// the transaction back, so the presented token stays the live one.
		if is.Scope, err = auth.NarrowScope(granted, req.Scope); err != nil {
			return err
		}
		if outcome == rotateGrace {
			return nil
		}
		err = s.core.Record(ctx, tx, c, auth.Event{Type: model.EventSessionRefresh, UserID: rt.UserID,
			Details: map[string]any{"session_ref": rt.SessionID}}, now)
		if err != nil {
			return err
		}
		next := model.RefreshToken{ID: nextID, FamilyID: rt.FamilyID, SessionID: rt.SessionID, ClientID: rt.ClientID,
			Resource: rt.Resource, Scope: granted, FamilyExpiresAt: rt.FamilyExpiresAt}
		return s.core.StoreRefreshToken(ctx, tx, next, sess, is.Client, successor, now)
	})
	if err != nil {
		return auth.TokenResponse{}, auth.AsFault(err, "refresh")
	}
	if failure != nil {
		return auth.TokenResponse{}, failure
	}
	return s.core.Sign(ctx, is, req.Claims, now)
}

// rotate finds the token with hash, marks it rotated if it may be, and says what the
// presentation means. A token of another tenant or client, or none, is rotateDead.
func (s *Service) rotate(ctx context.Context, tx storage.Store, c model.Caller, hash []byte, now time.Time) (model.RefreshToken, rotation, string, error) {
	nextID := model.NewID()
	// A live token of the caller is found and rotated by one conditional write. Only when
	// that finds nothing (no such token, a dead one, a concurrent refresh won) is the token
	// read, and its state decided under a lock.
	rt, err := tx.RotateRefreshToken(ctx, c.TenantID, c.ClientID, hash, nextID, now)
	if err == nil {
		return rt, rotateNow, nextID, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return rt, rotateDead, "", err
	}
	rt, err = tx.GetRefreshTokenByHash(ctx, hash)
	// A refresh token is bound to the client it was issued to.
	if errors.Is(err, storage.ErrNotFound) || err == nil && (rt.TenantID != c.TenantID || rt.ClientID != c.ClientID) {
		return rt, rotateDead, "", nil
	} else if err != nil {
		return rt, rotateDead, "", err
	}
	var outcome rotation
	err = tx.UpdateRefreshToken(ctx, rt.TenantID, rt.ID, func(cur model.RefreshToken) (model.RefreshToken, error) {
		switch {
		case cur.RevokedAt != nil, !now.Before(cur.ExpiresAt):
			outcome = rotateDead
		case cur.RotatedAt != nil && now.Sub(*cur.RotatedAt) <= s.opts.RefreshGrace:
			outcome = rotateGrace
		case cur.RotatedAt != nil:
			outcome = rotateReused
		default:
			outcome = rotateNow
			cur.RotatedAt, cur.ReplacedBy = &now, nextID
			return cur, nil
		}
		return cur, auth.ErrNoChange
	})
	if errors.Is(err, auth.ErrNoChange) {
		err = nil
	}
	if errors.Is(err, storage.ErrNotFound) {
		return rt, rotateDead, "", nil
	}
	return rt, outcome, nextID, err
}
