-- A client's stamp: a random number that every change of its row replaces.
--
-- The client behind a secret or a token is checked against the database on every request, so
-- that a rotation or deletion through any node takes effect at once on all of them. Reading
-- the stamp alone is enough for that: a node that already holds the client at the current
-- stamp uses its copy, and reads the whole row only when the stamp has moved. A trigger sets
-- it before every insert and update, so no write can forget it.
ALTER TABLE clients ADD COLUMN stamp BIGINT NOT NULL DEFAULT 0;
CREATE FUNCTION clients_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.stamp := ('x' || substr(md5(gen_random_uuid()::text), 1, 16))::bit(64)::bigint;
    RETURN NEW;
END
$$;
UPDATE clients SET stamp = ('x' || substr(md5(gen_random_uuid()::text || id), 1, 16))::bit(64)::bigint;
CREATE TRIGGER clients_stamp BEFORE INSERT OR UPDATE ON clients FOR EACH ROW EXECUTE FUNCTION clients_stamp();
