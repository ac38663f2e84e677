-- A table without tenant_id that nobody declared global is a table nobody reviewed.
SELECT format('%I.%I', n.nspname, c.relname) AS object, 'no tenant_id, not GLOBAL' AS detail
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('core', 'roster', 'routing') AND c.relkind IN ('r', 'p')
   AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'GLOBAL: %'
   AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                      AND a.attname = 'tenant_id' AND NOT a.attisdropped)
 ORDER BY 1
