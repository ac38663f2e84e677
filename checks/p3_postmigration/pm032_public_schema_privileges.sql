SELECT n.nspname AS object,
       'PUBLIC has ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS detail
  FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
 WHERE n.nspname IN ('core', 'roster', 'routing', 'public', 'meta') AND a.grantee = 0
 GROUP BY n.nspname
 ORDER BY 1
