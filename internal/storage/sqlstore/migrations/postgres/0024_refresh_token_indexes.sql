-- Fewer indexes for a login and a refresh to keep up: each index of refresh_tokens costs
-- every token insert a page of the write-ahead log, or more when the insert splits one.
--
-- A family is always under one session, so a family is revoked by its session and family
-- together, through one index on (session_id, family_id) that also serves a session's
-- revocation and the collection of ended sessions' tokens. A user's tokens are deleted
-- through the user's sessions (sessions_user_idx). Neither family_id nor user_id alone is
-- looked up any more.
DROP INDEX refresh_tokens_family_idx;
DROP INDEX refresh_tokens_user_idx;
DROP INDEX refresh_tokens_session_idx;
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id, family_id);

-- Garbage collection finds ended sessions, expired or revoked, without reading every session:
-- the revoked ones through an index of those alone, which a login's new session (never
-- revoked) and a refresh's touch do not write.
CREATE INDEX sessions_revoked_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
