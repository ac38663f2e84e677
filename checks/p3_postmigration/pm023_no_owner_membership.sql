-- A runtime role that is a member of a role owning or creating objects inherits (or can SET
-- ROLE to) its powers: DROP, ALTER, disabling RLS, replacing a definer function. The path
-- names the groups it goes through.
WITH walk AS (SELECT * FROM /*include:_runtime_memberships*/ w)
SELECT a.rolname AS object,
       'member of ' || g.rolname || coalesce(' via ' || w.path, '') AS detail
  FROM pg_catalog.pg_roles a
  JOIN pg_catalog.pg_roles g
    ON g.rolname IN ('solvereign_owner', 'solvereign_definer', 'solvereign_migrator')
   AND pg_catalog.pg_has_role(a.oid, g.oid, 'MEMBER')
  LEFT JOIN walk w ON w.runtime = a.oid AND w.roleid = g.oid
 WHERE a.rolname IN ('solvereign_api', 'solvereign_platform')
 ORDER BY 1, 2
