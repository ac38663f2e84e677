-- Referential actions ignore RLS and run as the table owner: a foreign key from a global
-- table (no tenant_id) into a tenant table with ON DELETE/UPDATE CASCADE, SET NULL or SET
-- DEFAULT lets one tenant's delete or key change rewrite rows nobody scoped to a tenant.
SELECT format('%I.%I', n.nspname, c.relname) || ' ' || co.conname AS object,
       concat_ws(', ',
         CASE co.confdeltype WHEN 'c' THEN 'ON DELETE CASCADE' WHEN 'n' THEN 'ON DELETE SET NULL'
                             WHEN 'd' THEN 'ON DELETE SET DEFAULT' END,
         CASE co.confupdtype WHEN 'c' THEN 'ON UPDATE CASCADE' WHEN 'n' THEN 'ON UPDATE SET NULL'
                             WHEN 'd' THEN 'ON UPDATE SET DEFAULT' END)
       || ' from a global table into tenant table ' || t.name AS detail
  FROM pg_constraint co
  JOIN /*include:_tenant_tables*/ t ON t.oid = co.confrelid
  JOIN pg_class c ON c.oid = co.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE co.contype = 'f'
   AND (co.confdeltype NOT IN ('a', 'r') OR co.confupdtype NOT IN ('a', 'r'))
   AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = co.conrelid
                      AND a.attname = 'tenant_id' AND NOT a.attisdropped)
 ORDER BY 1
