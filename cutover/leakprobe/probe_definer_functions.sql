-- Set-returning SECURITY DEFINER functions the probing role may execute, in every
-- non-system schema: schema, name and argument types separately (never a formatted name).
SELECT n.nspname AS schema, p.proname AS name,
       coalesce(array_to_string(p.proargtypes::regtype[], ','), '') AS args,
       p.oid::regprocedure::text AS signature, p.provolatile::text AS volatility
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prosecdef AND p.proretset
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
   AND has_schema_privilege(n.oid, 'USAGE')
   AND has_function_privilege(p.oid, 'EXECUTE')
 ORDER BY 1, 2, 3
