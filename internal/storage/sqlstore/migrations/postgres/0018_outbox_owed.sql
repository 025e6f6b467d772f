-- Latchkey schema: the admin portal's overview counts a tenant's owed messages.
--
-- The outbox keeps delivered messages for their retention, so a tenant's rows are mostly
-- finished ones; this partial index holds only the undelivered, so that counting what is still
-- owed reads those alone.
CREATE INDEX outbox_owed_idx ON outbox (tenant_id, next_attempt_at) WHERE delivered_at IS NULL;
