-- Materialized views and foreign tables carry no RLS at all.
SELECT format('%I.%I', n.nspname, c.relname) AS object,
       CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END AS detail
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('m', 'f') AND has_table_privilege('solvereign_api', c.oid, 'SELECT')
 ORDER BY 1
