-- 025a_rls_hardening: row-level security everywhere it is missing or weak; definer
-- functions with a fixed search_path; suspended tenants' keys stop resolving.
--
-- Fixes W05 (RLS enabled but not FORCED: core.api_keys, roster.plans, roster.assignments,
-- routing.routes), W07 (audit_log partitions without RLS), W08 (IS NULL OR policy on
-- roster.absences), W12 (routing.route_stops without RLS), W13 (definer functions without
-- search_path) and W14 (core.resolve_api_key ignores core.tenants.is_active).
-- Safe to re-run; catalog-only changes (no table rewrite).

SET LOCAL ROLE solvereign_owner;

-- W05: FORCE, so the owner (and whatever runs as the owner) is bound by the policies too.
ALTER TABLE core.api_keys FORCE ROW LEVEL SECURITY;
ALTER TABLE roster.plans FORCE ROW LEVEL SECURITY;
ALTER TABLE roster.assignments FORCE ROW LEVEL SECURITY;
ALTER TABLE routing.routes FORCE ROW LEVEL SECURITY;

-- W07 and W12: partitions queried directly skip the parent's policies, and route_stops had
-- none: each gets RLS, FORCE and the tenant policy of its siblings.
DO $rls$
DECLARE
    t regclass;
BEGIN
    FOREACH t IN ARRAY ARRAY['core.audit_log_2025', 'core.audit_log_2026',
                             'core.audit_log_default', 'routing.route_stops']::regclass[] LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %s AS PERMISSIVE FOR ALL
                          TO solvereign_api, solvereign_definer, solvereign_owner
                          USING (tenant_id = current_setting('app.tenant_id', true))
                          WITH CHECK (tenant_id = current_setting('app.tenant_id', true))$p$, t);
    END LOOP;
END
$rls$;

-- route_stops had no RLS, so the platform read it without a policy: it gets the policy
-- 025c gives every tenant table (a window stopping before 025c keeps the platform's view).
DROP POLICY IF EXISTS platform_read ON routing.route_stops;
CREATE POLICY platform_read ON routing.route_stops
    AS PERMISSIVE FOR SELECT
    TO solvereign_platform
    USING (session_user = 'solvereign_platform');

-- Until 025d hands the definer functions to solvereign_definer they run as the owner, which
-- FORCE (above) and the tenant registry's RLS (025) now bind: without a read path of its own
-- core.resolve_api_key would find no key and every API key would stop authenticating until
-- 025d commits. These two policies give the owner exactly the definer's key lookup (live
-- keys of active tenants, less than the owner could read before 025/025a); 025d drops them.
-- They are created only while the function is still the owner's, so a re-run after 025d
-- adds nothing.
DO $interim$
BEGIN
    IF (SELECT pg_get_userbyid(proowner) FROM pg_proc
         WHERE oid = 'core.resolve_api_key(text)'::regprocedure) = 'solvereign_owner' THEN
        DROP POLICY IF EXISTS owner_key_lookup_until_025d ON core.api_keys;
        CREATE POLICY owner_key_lookup_until_025d ON core.api_keys
            AS PERMISSIVE FOR SELECT TO solvereign_owner
            USING (revoked_at IS NULL);
        DROP POLICY IF EXISTS owner_active_lookup_until_025d ON core.tenants;
        CREATE POLICY owner_active_lookup_until_025d ON core.tenants
            AS PERMISSIVE FOR SELECT TO solvereign_owner
            USING (is_active);
    END IF;
END
$interim$;

-- W08: an unset tenant must see nothing, not everything.
DROP POLICY IF EXISTS tenant_isolation ON roster.absences;
CREATE POLICY tenant_isolation ON roster.absences
    AS PERMISSIVE FOR ALL
    TO solvereign_api, solvereign_definer, solvereign_owner
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

-- W13 and W14: the functions are (re)defined by the migrator itself, a member of both the
-- owner and the definer role, so this file also re-runs after 025d changed their owner.
RESET ROLE;

CREATE OR REPLACE FUNCTION core.resolve_api_key(p_key_digest text)
    RETURNS TABLE (tenant_id text, api_key_id bigint, scopes text[])
    LANGUAGE sql
    STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT k.tenant_id, k.id, k.scopes
    FROM core.api_keys AS k
    JOIN core.tenants AS t ON t.id = k.tenant_id AND t.is_active
    WHERE k.key_digest = p_key_digest
      AND k.revoked_at IS NULL
    ORDER BY k.id
    LIMIT 1
$fn$;

ALTER FUNCTION core.log_security_event(text, text, text, jsonb)
    SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION roster.tenant_week_summary(date)
    SET search_path = pg_catalog, pg_temp;
