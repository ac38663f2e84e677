-- The attributes themselves are not inherited, but a member can SET ROLE to a role that
-- has them: membership (direct or through groups) in a SUPERUSER, BYPASSRLS, CREATEROLE,
-- CREATEDB or REPLICATION role counts as holding the attribute (solvereign_backup is
-- BYPASSRLS: a runtime role that can SET ROLE to it reads every tenant).
WITH walk AS (SELECT * FROM /*include:_runtime_memberships*/ w),
     reach AS (
    SELECT r.rolname::text AS object, r.oid AS roleid, NULL::text AS path
      FROM pg_roles r WHERE r.rolname IN ('solvereign_api', 'solvereign_platform')
    UNION ALL
    SELECT w.runtime_name, w.roleid, w.path FROM walk w)
SELECT reach.object,
       concat_ws(' ', CASE WHEN g.rolsuper THEN 'SUPERUSER' END,
                      CASE WHEN g.rolbypassrls THEN 'BYPASSRLS' END,
                      CASE WHEN g.rolcreaterole THEN 'CREATEROLE' END,
                      CASE WHEN g.rolcreatedb THEN 'CREATEDB' END,
                      CASE WHEN g.rolreplication THEN 'REPLICATION' END)
       || coalesce(' through SET ROLE ' || g.rolname || ' (' || reach.path || ')', '') AS detail
  FROM reach JOIN pg_roles g ON g.oid = reach.roleid
 WHERE g.rolsuper OR g.rolbypassrls OR g.rolcreaterole OR g.rolcreatedb OR g.rolreplication
 ORDER BY 1, 2
