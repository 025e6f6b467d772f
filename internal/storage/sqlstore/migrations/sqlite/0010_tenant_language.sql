-- Latchkey schema 10: a tenant's default language, for messages to users who have none of
-- their own (or one Latchkey does not speak). Empty is English.
ALTER TABLE tenants ADD COLUMN default_language TEXT NOT NULL DEFAULT '';
