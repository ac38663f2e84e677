-- SET or ALTER SYSTEM granted on a parameter (pg_parameter_acl, PostgreSQL 15+) lets a
-- non-superuser change what only a superuser may: SET session_replication_role turns off
-- triggers and foreign-key checks, ALTER SYSTEM rewrites the server's configuration. No
-- runtime role (api, platform, backup) may hold either, directly, through a group or through
-- PUBLIC. The check module skips this file on servers before 15.
WITH rt AS (SELECT oid, rolname FROM pg_catalog.pg_roles
             WHERE rolname IN ('solvereign_api', 'solvereign_platform', 'solvereign_backup'))
SELECT p.parname::text AS object,
       CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END
       || ' has ' || x.privilege_type
       || CASE WHEN x.grantee = 0 THEN ''
               ELSE coalesce(' (reached by ' || (
                    SELECT pg_catalog.string_agg(rt.rolname, ', ' ORDER BY rt.rolname)
                      FROM rt WHERE rt.oid <> x.grantee
                       AND pg_catalog.pg_has_role(rt.oid, x.grantee, 'MEMBER')) || ')', '')
          END AS detail
  FROM pg_catalog.pg_parameter_acl p
 CROSS JOIN LATERAL pg_catalog.aclexplode(p.paracl) x
 WHERE x.grantee = 0
    OR EXISTS (SELECT 1 FROM rt WHERE pg_catalog.pg_has_role(rt.oid, x.grantee, 'MEMBER'))
 ORDER BY 1, 2
