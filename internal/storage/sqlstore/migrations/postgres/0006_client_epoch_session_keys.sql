-- Latchkey schema 6: client token epochs.
--
-- Every access token carries its client's epoch (claim client_epoch) and is refused once the
-- epoch has moved on: rotating a client's secret moves it, which ends the tokens issued under
-- the old secret. Clients start at epoch 0, which tokens issued before this schema (without
-- the claim) also read as, so they keep working until their client's next rotation.
ALTER TABLE clients ADD COLUMN token_epoch BIGINT NOT NULL DEFAULT 0;
