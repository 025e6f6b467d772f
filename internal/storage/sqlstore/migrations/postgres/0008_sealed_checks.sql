-- A check value sealed under the master key: a node started with another key fails to open it
-- and refuses to start, rather than answering every client with 401.
CREATE TABLE sealed_checks (
    name       TEXT PRIMARY KEY,
    sealed     BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
