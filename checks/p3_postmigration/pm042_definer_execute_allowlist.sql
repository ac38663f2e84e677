SELECT p.oid::regprocedure::text AS object,
       'EXECUTE for ' || CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS detail
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
 WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND a.grantee <> p.proowner
   AND (a.grantee = 0 OR pg_get_userbyid(a.grantee) NOT IN ('solvereign_api', 'solvereign_platform'))
 ORDER BY 1, 2
