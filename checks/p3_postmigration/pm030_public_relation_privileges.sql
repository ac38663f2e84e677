-- has_*_privilege('public', ...) asks exactly what every role gets for free.
SELECT format('%I.%I', n.nspname, c.relname) AS object,
       CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view'
                      WHEN 'm' THEN 'materialized view' ELSE 'table' END
       || ' readable or writable by PUBLIC' AS detail
  FROM pg_class c JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
   AND c.relacl IS NOT NULL
   AND EXISTS (SELECT 1 FROM aclexplode(c.relacl) a WHERE a.grantee = 0)
 ORDER BY 1
