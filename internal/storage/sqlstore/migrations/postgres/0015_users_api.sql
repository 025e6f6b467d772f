-- Latchkey schema 15: what the users API shows of a user besides their profile. When their
-- status and their address last changed, when each secondary email address and phone number
-- was verified (a JSON object from the value to epoch milliseconds), and the application's own
-- identifier of the user on their link to it (external_account_id). Users stored before read
-- as never having changed status or address and as having no verified secondary values.
--
-- The free-text search column goes: user searches are SCIM filters on the columns themselves.

ALTER TABLE users ADD COLUMN status_changed_at BIGINT;
ALTER TABLE users ADD COLUMN address_updated_at BIGINT;
ALTER TABLE users ADD COLUMN secondary_verified TEXT;
ALTER TABLE users DROP COLUMN search_text;
ALTER TABLE app_users ADD COLUMN external_account_id TEXT;
