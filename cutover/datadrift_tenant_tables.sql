-- Tables with a tenant_id column (DESIGN §4.1: a table with a tenant_id column is a tenant
-- table whatever its comment), as the catalog names them.
SELECT c.oid::pg_catalog.regclass::text AS name
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
 WHERE a.attname = 'tenant_id' AND a.attnum > 0 AND NOT a.attisdropped
   AND c.relkind = 'r'
 ORDER BY 1
