SELECT rolname AS object, 'BYPASSRLS' AS detail
  FROM pg_roles
 WHERE rolbypassrls AND NOT rolsuper AND rolname <> 'solvereign_backup'
 ORDER BY 1
