-- A policy TO PUBLIC is evaluated for every role, including ones created later.
SELECT format('%I.%I policy %s', schemaname, tablename, policyname) AS object,
       'TO PUBLIC: ' || coalesce(qual, '-') AS detail
  FROM pg_policies
 WHERE schemaname IN ('core', 'roster', 'routing') AND 'public' = ANY (roles)
 ORDER BY 1
