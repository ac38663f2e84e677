SELECT p.oid::regprocedure::text AS object, 'owned by ' || pg_get_userbyid(p.proowner) AS detail
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND pg_get_userbyid(p.proowner) <> 'solvereign_definer'
 ORDER BY 1
