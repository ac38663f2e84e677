-- The planner pushes LEAKPROOF functions below security barriers: they see rows RLS hides.
SELECT p.oid::regprocedure::text AS object, 'LEAKPROOF' AS detail
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.proleakproof AND n.nspname NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1
