-- The runtime roles are members of nothing but what the reviewed allowlist names (docs/database.md
-- names no membership for them): a member holds its groups' privileges or can SET ROLE
-- to them, so membership in solvereign_backup is BYPASSRLS, in pg_read_all_data every row of
-- every tenant, in pg_execute_server_program a shell on the server. Walked transitively;
-- each reached role is listed with the path that reaches it.
-- Parameters: m_role, m_group (text[], parallel): the allowlisted memberships.
WITH walk AS (SELECT * FROM /*include:_runtime_memberships*/ w),
     allowed AS (SELECT * FROM unnest(%(m_role)s::text[], %(m_group)s::text[]) AS a(role, grp))
SELECT w.runtime_name AS object,
       'member of ' || w.rolname || ' via ' || w.path
       || CASE WHEN g.rolsuper THEN ' (SUPERUSER through SET ROLE)'
               WHEN g.rolbypassrls THEN ' (BYPASSRLS through SET ROLE)'
               WHEN left(w.rolname, 3) = 'pg_' THEN ' (predefined role)'
               ELSE '' END AS detail
  FROM walk w JOIN pg_catalog.pg_roles g ON g.oid = w.roleid
 WHERE NOT EXISTS (SELECT 1 FROM allowed a
                    WHERE a.role = w.runtime_name AND a.grp = w.rolname)
 ORDER BY 1, 2
