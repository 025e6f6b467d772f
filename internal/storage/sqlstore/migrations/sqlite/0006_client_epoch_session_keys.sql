-- Latchkey schema 6: client token epochs, and sessions stored under a keyed hash of their id.
--
-- Every access token carries its client's epoch (claim client_epoch) and is refused once the
-- epoch has moved on: rotating a client's secret moves it, which ends the tokens issued under
-- the old secret. Clients start at epoch 0, which tokens issued before this schema (without
-- the claim) also read as, so they keep working until their client's next rotation.
ALTER TABLE clients ADD COLUMN token_epoch INTEGER NOT NULL DEFAULT 0;

-- A session id signs its user in (silent login, SSO), so it is no longer stored: sessions are
-- kept under a keyed hash of it, the session reference (sr_...) that tokens carry as sid.
-- Ids stored by earlier schemas cannot be hashed here (the key derives from the master key,
-- which the database never sees), so those sessions end, with their refresh tokens: their
-- users sign in once more.
DELETE FROM refresh_tokens;
DELETE FROM sessions;
