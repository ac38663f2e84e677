-- 025f_acl_fix: no privilege for PUBLIC anywhere in the platform's database.
--
-- Fixes W01 (CREATE on schema public for PUBLIC), W02 (TEMPORARY on the database for
-- PUBLIC), W04 (core.sites readable by PUBLIC), W06 (a sequence usable by PUBLIC), W09
-- (owner's default privileges in routing grant SELECT to PUBLIC, and the tables created
-- under them) and W16 (definer functions executable by PUBLIC), plus the built-in defaults
-- that hand EXECUTE on new functions and USAGE on new types to PUBLIC: default privileges
-- apply per creating role, so they are revoked for both roles that create objects.
-- Safe to re-run; catalog-only.

SET LOCAL ROLE solvereign_owner;

REVOKE ALL ON ALL TABLES IN SCHEMA core, roster, routing, public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA core, roster, routing, public FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA core, roster, routing, public FROM PUBLIC;
-- the roles that run the runbook's `SELECT * FROM verify_final_hardening();` keep reaching
-- it by name: EXECUTE, and USAGE on the schema it lives in (PUBLIC's USAGE is gone)
GRANT USAGE ON SCHEMA public TO solvereign_platform, solvereign_backup;
GRANT EXECUTE ON FUNCTION public.verify_final_hardening()
    TO solvereign_migrator, solvereign_platform, solvereign_backup;

-- The database: no TEMP (the pg_temp hijack path), no CONNECT for PUBLIC; the login roles
-- hold CONNECT explicitly since 002.
DO $db$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
END
$db$;

RESET ROLE;  -- the migrator acts for both creating roles below

-- Functions are owned by the definer now; the routines of core/roster/routing lose PUBLIC.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA core, roster, routing FROM PUBLIC;

ALTER DEFAULT PRIVILEGES FOR ROLE solvereign_owner IN SCHEMA routing
    REVOKE ALL ON TABLES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE solvereign_owner REVOKE ALL ON TABLES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE solvereign_owner REVOKE ALL ON SEQUENCES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE solvereign_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE solvereign_owner REVOKE USAGE ON TYPES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE solvereign_definer REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE solvereign_definer REVOKE USAGE ON TYPES FROM PUBLIC;
