-- Unique and foreign-key checks ignore RLS: a key without tenant_id is an existence oracle
-- across tenants, and a single-column foreign key lets a row point into another tenant.
WITH tt AS (SELECT * FROM /*include:_tenant_tables*/ x)
SELECT tt.name || ' ' || co.conname AS object,
       CASE co.contype WHEN 'f' THEN 'foreign key to ' || co.confrelid::regclass::text
                       WHEN 'p' THEN 'primary key' ELSE 'unique key' END || ' without tenant_id' AS detail
  FROM tt JOIN pg_constraint co ON co.conrelid = tt.oid
 WHERE co.contype IN ('p', 'u', 'f')
   AND (co.contype <> 'f' OR co.confrelid IN (SELECT oid FROM tt))
   AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = tt.oid
                      AND a.attname = 'tenant_id' AND a.attnum = ANY (co.conkey))
 ORDER BY 1
