-- 025d_definer_owner_hardening: a dedicated role owns every SECURITY DEFINER function.
--
-- Fixes W15: the definer functions ran with the rights of solvereign_owner (which can DROP,
-- DISABLE ROW LEVEL SECURITY and, on non-forced tables, read every tenant). They now run
-- as solvereign_definer, which holds only the table privileges they use (granted in 023)
-- and is itself bound by the tenant policies. ALTER ... OWNER requires the new owner to
-- hold CREATE on the schema at that moment: it is granted for the change and revoked right
-- after, so the definer can create nothing. Safe to re-run; catalog-only.

RESET ROLE;  -- the migrator: a member of both solvereign_owner and solvereign_definer

DO $owner$
DECLARE
    f regprocedure;
    s text;
BEGIN
    FOR f, s IN SELECT p.oid::regprocedure, n.nspname
                  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE p.prosecdef AND n.nspname IN ('core', 'roster', 'routing')
                   AND p.proowner <> 'solvereign_definer'::regrole
                 ORDER BY 1 LOOP
        EXECUTE format('GRANT CREATE ON SCHEMA %I TO solvereign_definer', s);
        EXECUTE format('ALTER FUNCTION %s OWNER TO solvereign_definer', f);
        EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM solvereign_definer', s);
    END LOOP;
END
$owner$;

-- log_security_event returns the new id (INSERT ... RETURNING id needs SELECT on the
-- column); as the owner it had that implicitly, as the definer it needs it granted.
-- the owner's interim key lookup of 025a is no longer needed: the functions run as the
-- definer now, which has its own policies (definer_key_lookup, definer_active_lookup)
SET LOCAL ROLE solvereign_owner;
DROP POLICY IF EXISTS owner_key_lookup_until_025d ON core.api_keys;
DROP POLICY IF EXISTS owner_active_lookup_until_025d ON core.tenants;
RESET ROLE;

GRANT SELECT (id) ON core.security_events TO solvereign_definer;

-- The functions' callers, and nobody else (PUBLIC's default EXECUTE goes in 025f).
GRANT EXECUTE ON FUNCTION core.resolve_api_key(text) TO solvereign_api;
GRANT EXECUTE ON FUNCTION core.log_security_event(text, text, text, jsonb)
    TO solvereign_api, solvereign_platform;
GRANT EXECUTE ON FUNCTION roster.tenant_week_summary(date) TO solvereign_api;
