-- Users' totals kept in shards, so that concurrent sign-ups of one tenant do not wait for
-- each other.
--
-- With one row per tenant and application, every transaction that adds or removes a user
-- locked the tenant's row until it committed: a tenant's sign-ups went one commit at a time.
-- Each transaction now counts into one of 16 rows, picked by its transaction id, so that two
-- transactions meet on a row one time in 16; within one, all its counts go to the same shard,
-- so it still locks a tenant's row before an application's, in the order it always did. A
-- shard may go below zero (a user counted in one shard is removed in another): only the sum
-- of a tenant's or an application's shards means anything.
ALTER TABLE user_counts ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE user_counts DROP CONSTRAINT user_counts_pkey;
ALTER TABLE user_counts ADD PRIMARY KEY (tenant_id, app_id, shard);

CREATE OR REPLACE FUNCTION users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO user_counts (tenant_id, app_id, shard, n) VALUES (NEW.tenant_id, '', txid_current() % 16, 1)
            ON CONFLICT (tenant_id, app_id, shard) DO UPDATE SET n = user_counts.n + 1;
        RETURN NEW;
    END IF;
    INSERT INTO user_counts (tenant_id, app_id, shard, n) VALUES (OLD.tenant_id, '', txid_current() % 16, -1)
        ON CONFLICT (tenant_id, app_id, shard) DO UPDATE SET n = user_counts.n - 1;
    RETURN OLD;
END
$$;
CREATE OR REPLACE FUNCTION app_users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO user_counts (tenant_id, app_id, shard, n) VALUES (NEW.tenant_id, NEW.app_id, txid_current() % 16, 1)
            ON CONFLICT (tenant_id, app_id, shard) DO UPDATE SET n = user_counts.n + 1;
        RETURN NEW;
    END IF;
    INSERT INTO user_counts (tenant_id, app_id, shard, n) VALUES (OLD.tenant_id, OLD.app_id, txid_current() % 16, -1)
        ON CONFLICT (tenant_id, app_id, shard) DO UPDATE SET n = user_counts.n - 1;
    RETURN OLD;
END
$$;
