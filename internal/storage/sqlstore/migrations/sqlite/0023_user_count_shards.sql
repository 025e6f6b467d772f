-- Users' totals kept in shards on PostgreSQL, so that concurrent sign-ups of one tenant do
-- not wait for each other there. SQLite runs one write transaction at a time, so nothing
-- waits on a row and its counts stay one row per tenant and application; the totals are read
-- as a sum on both engines. This migration changes nothing here but the schema's number.
SELECT 1;
