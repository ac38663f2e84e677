-- 025_tenants_rls_fix: row-level security on the tenant registry; tenant keys in every key.
--
-- Fixes W03 (core.tenants without RLS), W10 (routing.vehicles keys without tenant_id) and
-- W11 (single-column foreign key routes.vehicle_id -> vehicles.id).
-- Safe to re-run: policies are dropped and re-created, keys are changed only when they
-- still have the old shape. Lock-friendly: RLS switches are catalog-only; the key rebuild
-- touches routing.vehicles/routes, small reference tables, for the time of one index build.

SET LOCAL ROLE solvereign_owner;

-- W03: the registry sees only the session's own tenant; the platform's view comes in 025c,
-- the definer's key lookup reads active tenants only (the is_active filter of 025a needs it).
ALTER TABLE core.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE core.tenants FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_self ON core.tenants;
CREATE POLICY tenant_self ON core.tenants
    AS PERMISSIVE FOR ALL
    TO solvereign_api, solvereign_owner
    USING (id = current_setting('app.tenant_id', true))
    WITH CHECK (id = current_setting('app.tenant_id', true));
-- the platform keeps its registry view from here on, in the shape 025c gives every
-- platform policy (a window that stops between 025 and 025c must not empty its tenant list)
DROP POLICY IF EXISTS platform_admin ON core.tenants;
CREATE POLICY platform_admin ON core.tenants
    AS PERMISSIVE FOR ALL
    TO solvereign_platform
    USING (session_user = 'solvereign_platform')
    WITH CHECK (session_user = 'solvereign_platform');
DROP POLICY IF EXISTS definer_active_lookup ON core.tenants;
CREATE POLICY definer_active_lookup ON core.tenants
    AS PERMISSIVE FOR SELECT
    TO solvereign_definer
    USING (is_active);

-- W10/W11: keys of routing.vehicles carry tenant_id, and routes reference (tenant_id, id).
DO $keys$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_constraint
                WHERE conrelid = 'routing.routes'::regclass AND contype = 'f'
                  AND confrelid = 'routing.vehicles'::regclass AND array_length(conkey, 1) = 1) THEN
        EXECUTE (SELECT format('ALTER TABLE routing.routes DROP CONSTRAINT %I', conname)
                   FROM pg_constraint
                  WHERE conrelid = 'routing.routes'::regclass AND contype = 'f'
                    AND confrelid = 'routing.vehicles'::regclass
                    AND array_length(conkey, 1) = 1);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_constraint
                WHERE conrelid = 'routing.vehicles'::regclass AND contype = 'p'
                  AND array_length(conkey, 1) = 1) THEN
        ALTER TABLE routing.vehicles DROP CONSTRAINT vehicles_pkey;
        ALTER TABLE routing.vehicles ADD CONSTRAINT vehicles_pkey PRIMARY KEY (tenant_id, id);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_constraint
                WHERE conrelid = 'routing.vehicles'::regclass AND conname = 'vehicles_plate_key'
                  AND array_length(conkey, 1) = 1) THEN
        ALTER TABLE routing.vehicles DROP CONSTRAINT vehicles_plate_key;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                    WHERE conrelid = 'routing.vehicles'::regclass
                      AND conname = 'vehicles_tenant_plate_key') THEN
        ALTER TABLE routing.vehicles
            ADD CONSTRAINT vehicles_tenant_plate_key UNIQUE (tenant_id, plate);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                    WHERE conrelid = 'routing.routes'::regclass
                      AND conname = 'routes_tenant_vehicle_fkey') THEN
        -- Validation runs as the owner, and FORCE would hide every vehicle from it (the
        -- tenant is unset here): lift FORCE for this statement, inside this transaction.
        ALTER TABLE routing.vehicles NO FORCE ROW LEVEL SECURITY;
        ALTER TABLE routing.routes
            ADD CONSTRAINT routes_tenant_vehicle_fkey FOREIGN KEY (tenant_id, vehicle_id)
            REFERENCES routing.vehicles (tenant_id, id);
        ALTER TABLE routing.vehicles FORCE ROW LEVEL SECURITY;
    END IF;
END
$keys$;
