SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname) AS object,
       CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END || ' has ' || x.privilege_type AS detail
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL aclexplode(a.attacl) x
 WHERE a.attacl IS NOT NULL AND n.nspname IN ('core', 'roster', 'routing', 'public')
   AND (x.grantee = 0 OR pg_get_userbyid(x.grantee) = 'solvereign_api')
 ORDER BY 1, 2
