WITH app AS (SELECT * FROM /*include:_app_schemas*/ s)
SELECT x.obj || ': ' || CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END AS object,
       'may grant ' || string_agg(x.priv, ', ' ORDER BY x.priv) AS detail
  FROM (SELECT format('%I.%I', n.nspname, c.relname) AS obj, a.grantee, a.privilege_type AS priv,
               a.is_grantable, c.relowner AS owner
          FROM pg_class c JOIN app n ON n.oid = c.relnamespace
               CROSS JOIN LATERAL aclexplode(c.relacl) a
        UNION ALL
        SELECT p.oid::regprocedure::text, a.grantee, a.privilege_type, a.is_grantable, p.proowner
          FROM pg_proc p JOIN app n ON n.oid = p.pronamespace
               CROSS JOIN LATERAL aclexplode(p.proacl) a
        UNION ALL
        SELECT 'schema ' || n.nspname, a.grantee, a.privilege_type, a.is_grantable, n.nspowner
          FROM app JOIN pg_namespace n ON n.oid = app.oid CROSS JOIN LATERAL aclexplode(n.nspacl) a) x
 WHERE x.is_grantable AND x.grantee <> x.owner
 GROUP BY x.obj, x.grantee
 ORDER BY 1
