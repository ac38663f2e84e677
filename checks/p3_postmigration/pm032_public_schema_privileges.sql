SELECT n.nspname AS object,
       'PUBLIC has ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS detail
  FROM /*include:_app_schemas*/ n JOIN pg_namespace ns ON ns.oid = n.oid CROSS JOIN LATERAL aclexplode(ns.nspacl) a
 WHERE a.grantee = 0
 GROUP BY n.nspname
 ORDER BY 1
