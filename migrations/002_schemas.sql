-- 002_schemas.sql — the three application schemas and who may use them.
--
-- core     tenants, platform users, API keys, security and audit trail
-- roster   drivers, shifts, availability, history, plans and assignments
-- routing  vehicles, routes and their stops
--
-- solvereign_owner owns the schemas, so nobody else can CREATE in them (a SECURITY DEFINER
-- function is only safe in a schema where its callers cannot plant objects).
-- USAGE goes to the roles that read or write application data; the definer role only
-- needs the schemas its functions touch.
-- CONNECT is granted to the login roles explicitly, so that revoking the PUBLIC defaults on
-- the database later (hardening) cannot lock the application out. Database-level statements
-- name current_database() dynamically: the same file runs in many databases.
-- No weakness is introduced here.

SET LOCAL ROLE solvereign_owner;

CREATE SCHEMA core AUTHORIZATION solvereign_owner;
CREATE SCHEMA roster AUTHORIZATION solvereign_owner;
CREATE SCHEMA routing AUTHORIZATION solvereign_owner;

COMMENT ON SCHEMA core IS 'SOLVEREIGN core: tenants, platform users, API keys, security events, audit log';
COMMENT ON SCHEMA roster IS 'SOLVEREIGN rostering: drivers, shifts, availability, history, plans';
COMMENT ON SCHEMA routing IS 'SOLVEREIGN routing: vehicles, routes, route stops';

GRANT USAGE ON SCHEMA core, roster, routing
    TO solvereign_api, solvereign_platform, solvereign_backup;
GRANT USAGE ON SCHEMA core, roster TO solvereign_definer;

DO $db$
BEGIN
    EXECUTE format(
        'GRANT CONNECT ON DATABASE %I TO solvereign_migrator, solvereign_api, '
        'solvereign_platform, solvereign_backup',
        current_database());
END
$db$;
