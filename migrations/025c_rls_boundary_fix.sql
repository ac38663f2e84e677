-- 025c_rls_boundary_fix: platform visibility through role-bound policies with a
-- session_user boundary.
--
-- Fixes W19: the platform policies were granted TO PUBLIC and authorised by
-- `current_user = 'solvereign_platform'`, so any member that can SET ROLE to the platform
-- role (or a definer function it owned) saw every tenant. The new policies apply only to
-- the platform role itself (TO solvereign_platform) and only while the login is the
-- platform role (session_user): a SET ROLE from another login sees nothing through them.
-- Safe to re-run; catalog-only.

SET LOCAL ROLE solvereign_owner;

DO $platform$
DECLARE
    t regclass;
BEGIN
    -- the old PUBLIC policies, wherever they are
    FOR t IN SELECT DISTINCT format('%I.%I', schemaname, tablename)::regclass
               FROM pg_policies
              WHERE policyname IN ('platform_admin', 'platform_read')
                AND schemaname IN ('core', 'roster', 'routing') LOOP
        EXECUTE format('DROP POLICY IF EXISTS platform_admin ON %s', t);
        EXECUTE format('DROP POLICY IF EXISTS platform_read ON %s', t);
    END LOOP;

    -- administration: the registry, depots and API keys
    FOREACH t IN ARRAY ARRAY['core.tenants', 'core.sites', 'core.api_keys']::regclass[] LOOP
        EXECUTE format($p$CREATE POLICY platform_admin ON %s AS PERMISSIVE FOR ALL
                          TO solvereign_platform
                          USING (session_user = 'solvereign_platform')
                          WITH CHECK (session_user = 'solvereign_platform')$p$, t);
    END LOOP;

    -- read-only oversight of every other tenant table (the partitioned parent, not its
    -- partitions: the platform reads the audit trail through core.audit_log)
    FOREACH t IN ARRAY ARRAY['core.audit_log', 'core.request_nonces', 'roster.drivers',
                             'roster.shifts', 'roster.absences', 'roster.unavailability',
                             'roster.duty_history', 'roster.plans', 'roster.assignments',
                             'routing.vehicles', 'routing.routes',
                             'routing.route_stops']::regclass[] LOOP
        EXECUTE format($p$CREATE POLICY platform_read ON %s AS PERMISSIVE FOR SELECT
                          TO solvereign_platform
                          USING (session_user = 'solvereign_platform')$p$, t);
    END LOOP;
END
$platform$;
