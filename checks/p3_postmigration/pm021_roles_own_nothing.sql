-- Owners bypass RLS (unless forced) and can DROP or ALTER: ownership through membership
-- counts as much as direct ownership.
WITH owned AS (
    SELECT format('%I.%I', n.nspname, c.relname) AS obj, c.relowner AS owner
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('core', 'roster', 'routing', 'public', 'meta')
    UNION ALL
    SELECT p.oid::regprocedure::text, p.proowner
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname IN ('core', 'roster', 'routing', 'public')
    UNION ALL
    SELECT 'schema ' || nspname, nspowner FROM pg_namespace
     WHERE nspname IN ('core', 'roster', 'routing', 'public', 'meta')
)
SELECT a.rolname || ': ' || o.obj AS object, 'owned by ' || pg_get_userbyid(o.owner) AS detail
  FROM owned o JOIN pg_roles a ON a.rolname IN ('solvereign_api', 'solvereign_platform')
 WHERE pg_has_role(a.oid, o.owner, 'USAGE')
 ORDER BY 1
