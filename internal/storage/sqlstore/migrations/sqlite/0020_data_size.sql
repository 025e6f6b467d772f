-- Latchkey schema 22: lists whose cost does not grow with the data.
--
-- user_counts keeps how many users each tenant has (app_id '') and how many each of its
-- applications has, so that the total of an unfiltered list is read rather than counted.
-- Triggers keep it in the transaction that adds or removes the user or the link, whatever
-- the statement that does it.
CREATE TABLE user_counts (
    tenant_id TEXT NOT NULL,
    app_id    TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, app_id)
);
INSERT INTO user_counts (tenant_id, app_id, n)
SELECT tenant_id, '', COUNT(*) FROM users GROUP BY tenant_id;
INSERT INTO user_counts (tenant_id, app_id, n)
SELECT tenant_id, app_id, COUNT(*) FROM app_users GROUP BY tenant_id, app_id;

CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
    INSERT INTO user_counts (tenant_id, app_id, n) VALUES (NEW.tenant_id, '', 1)
        ON CONFLICT (tenant_id, app_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
    UPDATE user_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND app_id = '';
END;
CREATE TRIGGER app_users_count_insert AFTER INSERT ON app_users BEGIN
    INSERT INTO user_counts (tenant_id, app_id, n) VALUES (NEW.tenant_id, NEW.app_id, 1)
        ON CONFLICT (tenant_id, app_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER app_users_count_delete AFTER DELETE ON app_users BEGIN
    UPDATE user_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND app_id = OLD.app_id;
END;

-- The audit log filtered by application, newest first, as the other filters already are.
CREATE INDEX audit_events_app_idx ON audit_events (tenant_id, app_id, created_at, seq);
