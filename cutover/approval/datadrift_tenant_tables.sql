-- Tables with a tenant_id column (docs/checks.md: a table with a tenant_id column is a tenant
-- table whatever its comment): the regclass name the manifest uses, and schema and table
-- exactly as the catalog spells them (quotes, dots and newlines kept, never re-parsed).
SELECT c.oid::pg_catalog.regclass::text AS name, n.nspname AS schema, c.relname
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE a.attname = 'tenant_id' AND a.attnum > 0 AND NOT a.attisdropped
   AND c.relkind = 'r'
 ORDER BY 1
