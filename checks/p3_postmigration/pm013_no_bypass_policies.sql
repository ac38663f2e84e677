-- USING (true) admits every row; `setting IS NULL OR ...` admits every row to a session
-- that never set the tenant (current_setting(k, true) is NULL before any SET).
SELECT format('%I.%I policy %s', schemaname, tablename, policyname) AS object,
       coalesce(qual, '-') || ' / ' || coalesce(with_check, '-') AS detail
  FROM pg_policies
 WHERE schemaname IN ('core', 'roster', 'routing')
   AND (qual ~* '^\(?\s*true\s*\)?$' OR with_check ~* '^\(?\s*true\s*\)?$'
        OR qual ~* 'is null\)?\s+or\s' OR with_check ~* 'is null\)?\s+or\s')
 ORDER BY 1
