-- Settings that any policy expression, or any function in a non-system schema, reads through
-- current_setting(), with the string literals of those expressions (the values a policy may
-- compare the setting with): a role that can set one may open a policy for itself.
-- app.tenant_id is the tenant context and probed on its own.
WITH exprs AS (
    SELECT p.qual AS expr FROM pg_catalog.pg_policies p
    UNION ALL SELECT p.with_check FROM pg_catalog.pg_policies p
    UNION ALL SELECT f.prosrc FROM pg_catalog.pg_proc f
      JOIN pg_catalog.pg_namespace n ON n.oid = f.pronamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
), reads AS (
    SELECT DISTINCT m[1] AS setting, e.expr
      FROM exprs e, pg_catalog.regexp_matches(e.expr, 'current_setting\s*\(\s*''([^'']+)''',
                                              'g') AS m
     WHERE e.expr IS NOT NULL AND pg_catalog.lower(m[1]) <> 'app.tenant_id'
), literals AS (
    SELECT r.setting, l[1] AS literal
      FROM reads r, pg_catalog.regexp_matches(r.expr, '''([^'']{1,64})''', 'g') AS l
     WHERE l[1] <> r.setting
)
SELECT r.setting,
       coalesce((SELECT pg_catalog.array_agg(DISTINCT l.literal) FROM literals l
                  WHERE l.setting = r.setting), '{}') AS literals
  FROM (SELECT DISTINCT setting FROM reads) r
 ORDER BY 1
