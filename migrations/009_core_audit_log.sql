-- 009_core_audit_log.sql — the per-tenant audit trail, partitioned by time.
--
-- Who changed what in a tenant (plan published, key revoked, driver edited). Partitioned by
-- range on created_at so old years can be detached and archived: one partition per year
-- plus a DEFAULT partition for rows outside the known years (imported legacy entries,
-- clocks in the future), so an insert never fails for lack of a partition.
-- The id comes from an explicit sequence with a column default (not an identity column),
-- because on PostgreSQL 16 partitions do not inherit an identity but do inherit defaults.
-- The primary key must contain the partition key; it leads with tenant_id.
--
-- RLS is enabled, FORCED and bound to app.tenant_id on the partitioned parent. Policies of
-- the parent apply only to queries through the parent: each partition is a table of its
-- own with its own (here: absent) row security.
--
-- WEAKNESS W07: the partitions core.audit_log_2025, core.audit_log_2026 and
--   core.audit_log_default have no row-level security, and the api role is granted on them
--   directly (023): SELECT * FROM core.audit_log_2026 returns every tenant's entries
--   (fix: 025a)

SET LOCAL ROLE solvereign_owner;

CREATE SEQUENCE core.audit_log_id_seq AS bigint;

CREATE TABLE core.audit_log (
    id           bigint      NOT NULL DEFAULT nextval('core.audit_log_id_seq'),
    tenant_id    text        NOT NULL REFERENCES core.tenants (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    actor        text        NOT NULL,
    action       text        NOT NULL CONSTRAINT audit_log_action_format CHECK (action ~ '^[a-z][a-z0-9_.]{2,63}$'),
    object_type  text,
    object_id    text,
    details      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (tenant_id, id, created_at)
) PARTITION BY RANGE (created_at);

ALTER SEQUENCE core.audit_log_id_seq OWNED BY core.audit_log.id;

-- Bounds are written in UTC so they do not depend on the session's TimeZone.
CREATE TABLE core.audit_log_2025 PARTITION OF core.audit_log
    FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');
CREATE TABLE core.audit_log_2026 PARTITION OF core.audit_log
    FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2027-01-01 00:00:00+00');
CREATE TABLE core.audit_log_default PARTITION OF core.audit_log DEFAULT;

CREATE INDEX audit_log_tenant_created_idx ON core.audit_log (tenant_id, created_at);

ALTER TABLE core.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE core.audit_log FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON core.audit_log
    AS PERMISSIVE FOR ALL
    TO solvereign_api, solvereign_definer, solvereign_owner
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
