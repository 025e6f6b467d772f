-- A client's stamp: a random number that every change of its row replaces.
--
-- The client behind a secret or a token is checked against the database on every request, so
-- that a rotation or deletion through any node takes effect at once on all of them. Reading
-- the stamp alone is enough for that: a node that already holds the client at the current
-- stamp uses its copy, and reads the whole row only when the stamp has moved. Triggers set it,
-- so no write can forget it: an insert gets one, and an update that leaves it unchanged gets a
-- new one (the inner UPDATE does not fire the trigger again: SQLite's triggers are not
-- recursive unless asked).
ALTER TABLE clients ADD COLUMN stamp INTEGER NOT NULL DEFAULT 0;
UPDATE clients SET stamp = random();
CREATE TRIGGER clients_stamp_insert AFTER INSERT ON clients BEGIN
    UPDATE clients SET stamp = random() WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER clients_stamp_update AFTER UPDATE ON clients WHEN NEW.stamp = OLD.stamp BEGIN
    UPDATE clients SET stamp = random() WHERE rowid = NEW.rowid;
END;
