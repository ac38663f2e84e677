SELECT format('%I.%I', n.nspname, c.relname) AS object, 'UPDATE (setval) for solvereign_api' AS detail
  FROM pg_class c JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace
 WHERE c.relkind = 'S'
   AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege('solvereign_api', c.oid, 'UPDATE') END
 ORDER BY 1
