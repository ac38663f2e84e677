-- The migration ledger: one row per attempt, written in the same transaction as the
-- migration it records (a failed attempt is recorded afterwards, on its own).
CREATE SCHEMA IF NOT EXISTS meta;
REVOKE ALL ON SCHEMA meta FROM PUBLIC;
CREATE TABLE IF NOT EXISTS meta.migration_ledger (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version       text        NOT NULL,
    name          text        NOT NULL,
    sha256        text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    applied_by    text        NOT NULL DEFAULT session_user,
    applied_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    duration_ms   integer     NOT NULL,
    success       boolean     NOT NULL,
    transactional boolean     NOT NULL DEFAULT true,
    error         text
);
CREATE UNIQUE INDEX IF NOT EXISTS migration_ledger_applied_once
    ON meta.migration_ledger (version) WHERE success;
REVOKE ALL ON meta.migration_ledger FROM PUBLIC;
-- pg_dump runs as the backup role: it must be able to read the ledger it restores.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'solvereign_backup') THEN
        GRANT USAGE ON SCHEMA meta TO solvereign_backup;
        GRANT SELECT ON meta.migration_ledger TO solvereign_backup;
    END IF;
END
$$;
