-- USING (true) admits every row; `setting IS NULL OR ...` admits every row to a session
-- that never set the tenant (current_setting(k, true) is NULL before any SET).
-- A policy that reads any setting but app.tenant_id is a switch its caller can flip: any
-- role can SET a custom app.* setting, so `current_setting('app.x', true) = 'on'` is a
-- bypass the api role turns on itself (also when the policy is for a definer or group role
-- the api reaches: settings travel with the session). Read in the policy's own expressions
-- and in the bodies of the functions it calls (pg_depend), in every application schema.
WITH pol AS (
    SELECT p.oid, c.oid AS relid, format('%I.%I policy %s', n.nspname, c.relname, p.polname) AS object,
           pg_get_expr(p.polqual, p.polrelid) AS qual,
           pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
      FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
      JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace),
     texts AS (
    SELECT pol.object, coalesce(pol.qual, '') || ' ' || coalesce(pol.with_check, '') AS body,
           'its expression' AS place
      FROM pol
    UNION ALL
    SELECT pol.object, f.prosrc, 'function ' || f.oid::regprocedure::text
      FROM pol JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = pol.oid
                               AND d.refclassid = 'pg_proc'::regclass
      JOIN pg_proc f ON f.oid = d.refobjid
      JOIN pg_namespace fn ON fn.oid = f.pronamespace
     WHERE fn.nspname NOT IN ('pg_catalog', 'information_schema')),
     settings AS (
    SELECT t.object, t.place, lower(m[1]) AS setting
      FROM texts t CROSS JOIN LATERAL regexp_matches(t.body,
               'current_setting\s*\(\s*''([^'']*)''', 'gi') AS m
    UNION ALL
    SELECT t.object, t.place, '(a computed name)'
      FROM texts t WHERE t.body ~* 'current_setting\s*\(\s*[^''\s]'
    UNION ALL
    SELECT t.object, t.place, '(pg_settings)'
      FROM texts t WHERE t.body ~* '\mpg_settings\M')
SELECT object, coalesce(qual, '-') || ' / ' || coalesce(with_check, '-') AS detail
  FROM pol
 WHERE qual ~* '^\(?\s*true\s*\)?$' OR with_check ~* '^\(?\s*true\s*\)?$'
    OR qual ~* 'is null\)?\s+or\s' OR with_check ~* 'is null\)?\s+or\s'
UNION
SELECT object, 'reads setting ' || setting || ' in ' || place
       || ' (a switch the session can flip: only app.tenant_id may decide a row)'
  FROM settings
 WHERE setting <> 'app.tenant_id'
 ORDER BY 1, 2
