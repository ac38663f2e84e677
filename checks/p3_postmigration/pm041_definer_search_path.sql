-- Without a fixed search_path, or with pg_temp searched first (implicitly when absent),
-- a caller's temporary or public objects run with the definer's rights.
WITH f AS (
    SELECT p.oid::regprocedure::text AS fn,
           (SELECT substr(c, 13) FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%') AS sp
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
)
SELECT fn AS object, coalesce('search_path=' || sp, 'no search_path') AS detail
  FROM f
 WHERE sp IS NULL
    OR sp !~ '(^|,)\s*pg_temp\s*$'
    OR EXISTS (SELECT 1 FROM regexp_split_to_table(sp, ',') s
                WHERE btrim(btrim(s), '"') NOT IN ('pg_catalog', 'core', 'roster', 'routing', 'pg_temp'))
 ORDER BY 1
