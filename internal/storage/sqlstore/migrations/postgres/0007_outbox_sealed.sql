-- Message bodies carry codes and sign-in links: from now on they are stored only sealed under
-- the master key, in sealed_body, and the clear columns stay empty.
ALTER TABLE outbox ADD COLUMN sealed_body BYTEA;

-- Bodies of messages that will never be sent again (delivered, or given up: next_attempt_at at
-- 9999-12-31) are of no further use; drop the clear copies now rather than at collection.
UPDATE outbox SET subject = '', text_body = '', html_body = ''
    WHERE delivered_at IS NOT NULL OR next_attempt_at >= 253402214400000;

-- Collection of finished messages finds the given-up ones by age.
CREATE INDEX outbox_finished_idx ON outbox (next_attempt_at, created_at);
