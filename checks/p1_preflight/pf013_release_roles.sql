-- The cluster roles the release's migrations rely on but cannot create (the migrator has no
-- CREATEROLE on a managed target): 025g hands routing.mv_route_daily to solvereign_reporting,
-- which must exist, stay NOLOGIN with no elevated attribute, and have solvereign_owner as a
-- member (the owner's jobs refresh the view through it). One row per missing property.
-- From PostgreSQL 16 a membership carries INHERIT and SET options: the refresh needs the
-- reporting role's privileges (INHERIT, pg_has_role USAGE) and 025g's ALTER ... OWNER TO,
-- run as the owner, needs SET; a membership WITH SET FALSE would pass a USAGE test here
-- and stop 025g halfway ("must be able to SET ROLE"). 'SET' is asked only from 16 on.
WITH want(role) AS (VALUES ('solvereign_reporting'::name))
SELECT w.role::text AS object, 'role does not exist' AS detail
  FROM want w WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = w.role)
UNION ALL
SELECT r.rolname::text,
       'has ' || concat_ws(', ', CASE WHEN r.rolcanlogin THEN 'LOGIN' END,
                           CASE WHEN r.rolsuper THEN 'SUPERUSER' END,
                           CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END,
                           CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END,
                           CASE WHEN r.rolcreatedb THEN 'CREATEDB' END)
  FROM pg_catalog.pg_roles r JOIN want w ON w.role = r.rolname
 WHERE r.rolcanlogin OR r.rolsuper OR r.rolbypassrls OR r.rolcreaterole OR r.rolcreatedb
UNION ALL
SELECT r.rolname::text, 'solvereign_owner is not a member'
  FROM pg_catalog.pg_roles r JOIN want w ON w.role = r.rolname
 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_roles o WHERE o.rolname = 'solvereign_owner')
   AND NOT pg_catalog.pg_has_role('solvereign_owner', r.oid, 'USAGE')
UNION ALL
SELECT r.rolname::text, 'solvereign_owner cannot SET ROLE to it (membership WITH SET FALSE)'
  FROM pg_catalog.pg_roles r JOIN want w ON w.role = r.rolname
 WHERE pg_catalog.current_setting('server_version_num')::int >= 160000
   AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles o WHERE o.rolname = 'solvereign_owner')
   AND pg_catalog.pg_has_role('solvereign_owner', r.oid, 'USAGE')
   AND NOT (CASE WHEN pg_catalog.current_setting('server_version_num')::int >= 160000
                 THEN pg_catalog.pg_has_role('solvereign_owner', r.oid, 'SET') END)
 ORDER BY 1, 2
