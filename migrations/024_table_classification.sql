-- 024_table_classification.sql — the one place that says which tables are tenant-scoped
-- and which are global on purpose (DESIGN §3.1). Last file of the pre-cutover schema.
--
-- Each table's comment starts with "TENANT:" (carries a NOT NULL tenant_id, isolated by
-- row-level security) or "GLOBAL:" followed by the reason it has no tenant_id. A check can
-- read it with obj_description(oid, 'pg_class'); a table with neither prefix is
-- unclassified and should fail review. Views are not classified: they inherit the
-- classification of what they read.
--
--   GLOBAL   core.tenants          the tenant registry itself; its key is the tenant id
--   GLOBAL   core.users            platform operators work across tenants
--   GLOBAL   core.security_events  events are raised before a tenant is known
--   TENANT   every other table of core, roster and routing, partitions included
--
-- No weakness is introduced here. After this file the database is in the state the
-- hardening series 025..025f starts from.

SET LOCAL ROLE solvereign_owner;

COMMENT ON TABLE core.tenants IS
    'GLOBAL: the tenant registry; each row is one tenant and its key is the tenant id (app.tenant_id)';
COMMENT ON TABLE core.users IS
    'GLOBAL: platform operators administer many tenants; read by the platform role only';
COMMENT ON TABLE core.security_events IS
    'GLOBAL: security events are raised before a tenant is known; tenant_id is informational';

COMMENT ON TABLE core.sites IS 'TENANT: depots of a tenant';
COMMENT ON TABLE core.api_keys IS 'TENANT: API keys (HMAC digests only) of a tenant';
COMMENT ON TABLE core.audit_log IS 'TENANT: audit trail of a tenant, partitioned by year';
COMMENT ON TABLE core.audit_log_2025 IS 'TENANT: partition of core.audit_log (2025)';
COMMENT ON TABLE core.audit_log_2026 IS 'TENANT: partition of core.audit_log (2026)';
COMMENT ON TABLE core.audit_log_default IS 'TENANT: partition of core.audit_log (outside the known years)';
COMMENT ON TABLE core.request_nonces IS 'TENANT: nonces of signed requests, for replay protection';
COMMENT ON TABLE roster.drivers IS 'TENANT: drivers';
COMMENT ON TABLE roster.shifts IS 'TENANT: shifts to be covered';
COMMENT ON TABLE roster.absences IS 'TENANT: absences of drivers (sick, vacation, training)';
COMMENT ON TABLE roster.unavailability IS 'TENANT: planned unavailability of drivers';
COMMENT ON TABLE roster.duty_history IS 'TENANT: duties worked in previous weeks';
COMMENT ON TABLE roster.plans IS 'TENANT: weekly rosters';
COMMENT ON TABLE roster.assignments IS 'TENANT: shift-to-driver assignments of a plan';
COMMENT ON TABLE routing.vehicles IS 'TENANT: vehicles';
COMMENT ON TABLE routing.routes IS 'TENANT: delivery routes';
COMMENT ON TABLE routing.route_stops IS 'TENANT: stops of a route';

-- Fail the migration (and so the whole pre-cutover schema) if a table of the application
-- schemas is left unclassified, or a "TENANT:" table lacks a NOT NULL tenant_id.
DO $check$
DECLARE
    offenders text;
BEGIN
    SELECT string_agg(format('%s (%s)', c.oid::regclass, problem), ', ' ORDER BY c.oid::regclass::text)
    INTO offenders
    FROM (
        SELECT c.oid,
               CASE
                   WHEN coalesce(obj_description(c.oid, 'pg_class'), '') !~ '^(TENANT|GLOBAL): '
                       THEN 'unclassified'
                   WHEN obj_description(c.oid, 'pg_class') LIKE 'TENANT: %'
                        AND NOT EXISTS (
                            SELECT 1 FROM pg_catalog.pg_attribute a
                            WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                              AND a.attnotnull AND NOT a.attisdropped)
                       THEN 'TENANT table without NOT NULL tenant_id'
               END AS problem
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('core', 'roster', 'routing')
          AND c.relkind IN ('r', 'p')
    ) AS c
    WHERE problem IS NOT NULL;

    IF offenders IS NOT NULL THEN
        RAISE EXCEPTION 'table classification incomplete: %', offenders;
    END IF;
END
$check$;
