-- TRUNCATE and foreign-key checks ignore RLS: one TRUNCATE empties every tenant.
SELECT t.name AS object,
       concat_ws(', ', CASE WHEN has_table_privilege('solvereign_api', t.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
                       CASE WHEN has_table_privilege('solvereign_api', t.oid, 'REFERENCES') THEN 'REFERENCES' END,
                       CASE WHEN has_table_privilege('solvereign_api', t.oid, 'TRIGGER') THEN 'TRIGGER' END) AS detail
  FROM /*include:_tenant_tables*/ t
 WHERE has_table_privilege('solvereign_api', t.oid, 'TRUNCATE')
    OR has_table_privilege('solvereign_api', t.oid, 'REFERENCES')
    OR has_table_privilege('solvereign_api', t.oid, 'TRIGGER')
 ORDER BY 1
