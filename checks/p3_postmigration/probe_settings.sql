-- Custom settings (names with a dot) that any policy expression, or any function in a
-- non-system schema, reads through current_setting(): a role that can switch one on may
-- open a policy for itself. app.tenant_id is the tenant context and probed on its own.
WITH exprs AS (
    SELECT p.qual AS expr FROM pg_catalog.pg_policies p
    UNION ALL SELECT p.with_check FROM pg_catalog.pg_policies p
    UNION ALL SELECT f.prosrc FROM pg_catalog.pg_proc f
      JOIN pg_catalog.pg_namespace n ON n.oid = f.pronamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
)
SELECT DISTINCT m[1] AS setting
  FROM exprs, regexp_matches(expr, 'current_setting\s*\(\s*''([^'']+)''', 'g') AS m
 WHERE expr IS NOT NULL AND m[1] LIKE '%.%' AND lower(m[1]) <> 'app.tenant_id'
 ORDER BY 1
