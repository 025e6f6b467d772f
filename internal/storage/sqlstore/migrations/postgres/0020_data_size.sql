-- Latchkey schema 22: lists whose cost does not grow with the data.
--
-- user_counts keeps how many users each tenant has (app_id '') and how many each of its
-- applications has, so that the total of an unfiltered list is read rather than counted.
-- Triggers keep it in the transaction that adds or removes the user or the link, whatever
-- the statement that does it. A user's removal is counted before the row goes (BEFORE), so
-- that every transaction locks a tenant's row before an application's and two of them never
-- wait for each other in opposite orders.
CREATE TABLE user_counts (
    tenant_id TEXT NOT NULL,
    app_id    TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, app_id)
);
INSERT INTO user_counts (tenant_id, app_id, n)
SELECT tenant_id, '', COUNT(*) FROM users GROUP BY tenant_id;
INSERT INTO user_counts (tenant_id, app_id, n)
SELECT tenant_id, app_id, COUNT(*) FROM app_users GROUP BY tenant_id, app_id;

CREATE FUNCTION users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO user_counts (tenant_id, app_id, n) VALUES (NEW.tenant_id, '', 1)
            ON CONFLICT (tenant_id, app_id) DO UPDATE SET n = user_counts.n + 1;
        RETURN NEW;
    END IF;
    UPDATE user_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND app_id = '';
    RETURN OLD;
END
$$;
CREATE FUNCTION app_users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO user_counts (tenant_id, app_id, n) VALUES (NEW.tenant_id, NEW.app_id, 1)
            ON CONFLICT (tenant_id, app_id) DO UPDATE SET n = user_counts.n + 1;
        RETURN NEW;
    END IF;
    UPDATE user_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND app_id = OLD.app_id;
    RETURN OLD;
END
$$;
CREATE TRIGGER users_count_insert AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_count();
CREATE TRIGGER users_count_delete BEFORE DELETE ON users FOR EACH ROW EXECUTE FUNCTION users_count();
CREATE TRIGGER app_users_count_insert AFTER INSERT ON app_users FOR EACH ROW EXECUTE FUNCTION app_users_count();
CREATE TRIGGER app_users_count_delete AFTER DELETE ON app_users FOR EACH ROW EXECUTE FUNCTION app_users_count();

-- Prefix searches (search_prefix, SCIM sw) compare a range of bytes, which an index serves
-- only in the "C" collation: the database's own may order text otherwise.
CREATE INDEX users_email_c_idx ON users (tenant_id, email COLLATE "C");
CREATE INDEX users_phone_number_c_idx ON users (tenant_id, phone_number COLLATE "C");
CREATE INDEX users_username_c_idx ON users (tenant_id, username COLLATE "C");
CREATE INDEX users_external_user_id_c_idx ON users (tenant_id, external_user_id COLLATE "C");

-- The audit log filtered by application, newest first, as the other filters already are.
CREATE INDEX audit_events_app_idx ON audit_events (tenant_id, app_id, created_at, seq);
