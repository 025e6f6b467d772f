-- Latchkey schema 5: what a credential was registered under. app_id is the application whose
-- call added it; rp_id is the WebAuthn relying party id a passkey was registered under, which
-- a login under any other relying party refuses.
--
-- Rows written under earlier schemas read as unbound (empty). No SQL can tell which relying
-- party an old passkey belongs to, and guessing (the tenant's only relying party, say) could
-- bind a passkey to a relying party it was never registered under. Latchkey therefore binds an
-- old passkey at its first login instead, from the registration's attestation it stored: the
-- authenticator data in it carries the hash of the relying party id the registration was
-- verified under. A passkey whose stored attestation does not name the login's relying party,
-- or that has none, is refused.

ALTER TABLE credentials ADD COLUMN app_id TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN rp_id TEXT NOT NULL DEFAULT '';
