-- Latchkey schema 9: a session's id, sealed under the master key (AES-256-GCM, bound to the
-- tenant and the session reference), so that a refresh can answer with the session_id the
-- login returned. The id itself still appears nowhere in the clear. Sessions begun before this
-- schema have none: refreshes of their tokens answer without session_id until the session is
-- given again to an authenticate call, which stores it.
ALTER TABLE sessions ADD COLUMN sealed_id BLOB;
