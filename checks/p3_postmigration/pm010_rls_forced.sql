-- Owners bypass RLS unless it is FORCED; a partition queried directly skips its parent's
-- policies, so partitions are judged on their own.
SELECT t.name AS object,
       concat_ws(', ', CASE WHEN NOT c.relrowsecurity THEN 'RLS disabled' END,
                       CASE WHEN NOT c.relforcerowsecurity THEN 'RLS not forced' END) AS detail
  FROM (SELECT * FROM /*include:_tenant_tables*/ tt UNION SELECT 'core.tenants'::regclass::oid, 'core.tenants') t
  JOIN pg_class c ON c.oid = t.oid
 WHERE NOT (c.relrowsecurity AND c.relforcerowsecurity)
 ORDER BY 1
