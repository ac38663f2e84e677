-- Owners bypass RLS (unless forced) and can DROP or ALTER: ownership through membership
-- counts as much as direct ownership (MEMBER: inherited, or reachable by SET ROLE). Every
-- relation, function and schema of every application schema, the database itself (its
-- owner is pg_database_owner, which owns schema public) and large objects.
WITH ns AS (SELECT * FROM /*include:_app_schemas*/ s),
     owned AS (
    SELECT format('%I.%I', n.nspname, c.relname) AS obj, c.relowner AS owner
      FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
    UNION ALL
    SELECT p.oid::regprocedure::text, p.proowner
      FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace
    UNION ALL
    SELECT 'schema ' || quote_ident(nspname), nspowner
      FROM pg_namespace WHERE oid IN (SELECT oid FROM ns)
    UNION ALL
    SELECT 'database ' || quote_ident(datname), datdba
      FROM pg_database WHERE datname = current_database()
    UNION ALL
    SELECT 'large objects owned by ' || pg_get_userbyid(lomowner), lomowner
      FROM (SELECT DISTINCT lomowner FROM pg_largeobject_metadata) lo
)
SELECT a.rolname || ': ' || o.obj AS object, 'owned by ' || pg_get_userbyid(o.owner) AS detail
  FROM owned o JOIN pg_roles a ON a.rolname IN ('solvereign_api', 'solvereign_platform')
 WHERE pg_has_role(a.oid, o.owner, 'MEMBER')
 ORDER BY 1
