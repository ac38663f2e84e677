-- 004_core_tenants.sql — the tenant registry.
--
-- A tenant id is a short lowercase slug (wien_pilot); it is the value of the per-transaction
-- setting app.tenant_id and the tenant_id column of every tenant-scoped table, so it must
-- never need quoting or case folding. Deactivating a tenant (is_active = false) is how the
-- platform suspends it: nothing is deleted, lookups are expected to filter on is_active.
--
-- The table itself has no tenant_id column: its key IS the tenant id. It is classified as
-- global in 024, but every row belongs to exactly one tenant, so it should still be
-- readable only for the current tenant.
--
-- WEAKNESS W03: core.tenants has no row-level security: the api role (granted SELECT in
--   023) lists every tenant, active or not, its name and creation date (fix: 025)

SET LOCAL ROLE solvereign_owner;

CREATE TABLE core.tenants (
    id          text        PRIMARY KEY
                            CONSTRAINT tenants_id_format CHECK (id ~ '^[a-z][a-z0-9_]{1,62}$'),
    name        text        NOT NULL CONSTRAINT tenants_name_not_blank CHECK (btrim(name) <> ''),
    is_active   boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON COLUMN core.tenants.id IS 'tenant slug; the value of app.tenant_id';
COMMENT ON COLUMN core.tenants.is_active IS 'false = suspended; API keys of the tenant must not resolve';
