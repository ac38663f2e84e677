SELECT p.oid::regprocedure::text AS object, 'schema ' || n.nspname || ' allows CREATE' AS detail
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND (has_schema_privilege('solvereign_api', n.oid, 'CREATE')
        OR has_schema_privilege('public', n.oid, 'CREATE'))
 ORDER BY 1
