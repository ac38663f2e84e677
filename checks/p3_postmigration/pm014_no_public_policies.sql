-- A policy TO PUBLIC is evaluated for every role, including ones created later; in every
-- application schema, not only the three the platform started with.
SELECT format('%I.%I policy %s', p.schemaname, p.tablename, p.policyname) AS object,
       'TO PUBLIC: ' || coalesce(p.qual, '-') AS detail
  FROM pg_policies p
  JOIN /*include:_app_schemas*/ n ON n.nspname = p.schemaname
 WHERE 'public' = ANY (p.roles)
 ORDER BY 1
