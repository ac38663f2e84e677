-- A foreign server the api role may use (USAGE, directly, through a group or PUBLIC) or a
-- user mapping for it lets the application reach data and credentials outside the
-- database's RLS; a foreign data wrapper it may use lets it define such servers.
WITH rt AS (SELECT rolname FROM pg_roles WHERE rolname IN ('solvereign_api', 'solvereign_platform'))
SELECT 'foreign data wrapper ' || w.fdwname AS object, 'USAGE for ' || rt.rolname AS detail
  FROM pg_foreign_data_wrapper w CROSS JOIN rt
 WHERE has_foreign_data_wrapper_privilege(rt.rolname, w.oid, 'USAGE')
UNION ALL
SELECT 'foreign server ' || s.srvname, 'USAGE for ' || rt.rolname
  FROM pg_foreign_server s CROSS JOIN rt
 WHERE has_server_privilege(rt.rolname, s.oid, 'USAGE')
UNION ALL
SELECT 'user mapping for ' || um.usename || ' on ' || um.srvname, 'a runtime role (or PUBLIC) connects through it'
  FROM pg_user_mappings um
 WHERE um.umuser = 0 OR um.usename IN (SELECT rolname FROM rt)
    OR EXISTS (SELECT 1 FROM rt WHERE CASE WHEN um.umuser = 0 THEN false
                                           ELSE pg_has_role(rt.rolname, um.umuser, 'MEMBER') END)
 ORDER BY 1, 2
