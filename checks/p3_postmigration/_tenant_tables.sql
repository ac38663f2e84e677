-- (documentation) The tenant-table rule every check below inlines: a table of core, roster
-- or routing with a tenant_id column, unless its comment classifies it GLOBAL on purpose.
SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('core', 'roster', 'routing') AND c.relkind IN ('r', 'p')
   AND EXISTS (SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
   AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'GLOBAL: %'
