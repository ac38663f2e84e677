-- pg_temp is the classic hijack path for definer functions, and CREATE on the database lets
-- a role add a schema of its own; a NULL datacl is the built-in default, which grants TEMP
-- and CONNECT to PUBLIC. The runtime roles are judged by has_database_privilege, which
-- follows their memberships (a grant to a group they belong to counts).
SELECT d.datname AS object,
       CASE WHEN r.rolname = 'public' AND d.datacl IS NULL THEN 'built-in default: PUBLIC has TEMPORARY'
            ELSE CASE WHEN r.rolname = 'public' THEN 'PUBLIC' ELSE r.rolname END || ' has '
                 || concat_ws(', ', CASE WHEN has_database_privilege(r.rolname, d.oid, 'CREATE') THEN 'CREATE' END,
                                     CASE WHEN has_database_privilege(r.rolname, d.oid, 'TEMPORARY') THEN 'TEMPORARY' END)
       END AS detail
  FROM pg_database d
       CROSS JOIN (VALUES ('public'), ('solvereign_api'), ('solvereign_platform')) r(rolname)
 WHERE d.datname = current_database()
   AND (r.rolname = 'public' OR EXISTS (SELECT 1 FROM pg_roles x WHERE x.rolname = r.rolname))
   AND (has_database_privilege(r.rolname, d.oid, 'CREATE') OR has_database_privilege(r.rolname, d.oid, 'TEMPORARY'))
 ORDER BY 1, 2
