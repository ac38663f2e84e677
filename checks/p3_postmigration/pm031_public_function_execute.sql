-- A function with no ACL at all carries the built-in default: EXECUTE for PUBLIC.
SELECT p.oid::regprocedure::text AS object,
       CASE WHEN p.proacl IS NULL THEN 'built-in default ACL' ELSE 'granted' END AS detail
  FROM pg_proc p JOIN /*include:_app_schemas*/ n ON n.oid = p.pronamespace
 WHERE (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0))
 ORDER BY 1
