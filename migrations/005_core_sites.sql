-- 005_core_sites.sql — depots of a tenant (W10, W20, W30 for wien_pilot).
--
-- Drivers, shifts and vehicles belong to a site; the site code is unique per tenant only,
-- so the key and every reference to it carry tenant_id (two tenants may both have "G10").
-- Tenant-scoped: RLS enabled and FORCED (the owner is filtered too), one policy for the
-- roles that act for a tenant, bound to app.tenant_id in USING and WITH CHECK; an unset
-- (NULL) or reset ('') setting matches no row.
--
-- WEAKNESS W04: SELECT on core.sites granted to PUBLIC (for the public depot status page):
--   every role of the cluster may read the table; RLS still filters rows for roles it
--   applies to, but any role with BYPASSRLS or a future NO FORCE change exposes all tenants,
--   and the catalogue forbids PUBLIC privileges on application tables (fix: 025f)

SET LOCAL ROLE solvereign_owner;

CREATE TABLE core.sites (
    tenant_id   text        NOT NULL REFERENCES core.tenants (id),
    code        text        NOT NULL CONSTRAINT sites_code_format CHECK (code ~ '^[A-Z][A-Z0-9]{1,15}$'),
    name        text        NOT NULL,
    timezone    text        NOT NULL DEFAULT 'Europe/Vienna',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, code)
);

ALTER TABLE core.sites ENABLE ROW LEVEL SECURITY;
ALTER TABLE core.sites FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON core.sites
    AS PERMISSIVE FOR ALL
    TO solvereign_api, solvereign_definer, solvereign_owner
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT ON core.sites TO PUBLIC;
