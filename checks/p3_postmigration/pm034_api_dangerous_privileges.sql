-- TRUNCATE and foreign-key checks ignore RLS: one TRUNCATE empties every tenant, a
-- REFERENCES grant probes keys across tenants, TRIGGER runs the api's code on every write.
-- Every table of the application schemas counts, global ones (core.tenants) included.
SELECT format('%I.%I', n.nspname, c.relname) AS object,
       concat_ws(', ', CASE WHEN has_table_privilege('solvereign_api', c.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
                       CASE WHEN has_table_privilege('solvereign_api', c.oid, 'REFERENCES') THEN 'REFERENCES' END,
                       CASE WHEN has_table_privilege('solvereign_api', c.oid, 'TRIGGER') THEN 'TRIGGER' END) AS detail
  FROM pg_class c JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND (has_table_privilege('solvereign_api', c.oid, 'TRUNCATE')
        OR has_table_privilege('solvereign_api', c.oid, 'REFERENCES')
        OR has_table_privilege('solvereign_api', c.oid, 'TRIGGER'))
 ORDER BY 1
