-- A row with NULL tenant_id matches no tenant: invisible to all, owned by nobody.
SELECT t.name AS object, 'tenant_id is nullable' AS detail
  FROM /*include:_tenant_tables*/ t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attname = 'tenant_id'
 WHERE NOT a.attnotnull
 ORDER BY 1
