-- (documentation) The tenant-table rule every check below inlines: a table of any
-- application schema with a tenant_id column is a tenant table, whatever its comment says
-- (a comment is whatever the table's owner last wrote). Only a table on the reviewed list
-- checks/allowlist/global_tables.toml is global despite a tenant_id (PM-011 holds it to that).
SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_class c JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND EXISTS (SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
   AND format('%I.%I', n.nspname, c.relname) NOT IN (SELECT name FROM /*allowlist:global_tables*/ g)
