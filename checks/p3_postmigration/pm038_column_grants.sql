-- Column grants are audited, not assumed: none to PUBLIC, to the api role, or to a group the
-- api role belongs to (directly or through other groups: members hold their groups'
-- privileges), in every application schema.
WITH walk AS (SELECT * FROM /*include:_runtime_memberships*/ w
               WHERE w.runtime_name = 'solvereign_api')
SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname) AS object,
       CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END
       || ' has ' || x.privilege_type
       || coalesce(' (solvereign_api is a member: ' || w.path || ')', '') AS detail
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL aclexplode(a.attacl) x
  LEFT JOIN walk w ON w.roleid = x.grantee
 WHERE a.attacl IS NOT NULL
   AND (x.grantee = 0 OR pg_get_userbyid(x.grantee) = 'solvereign_api' OR w.roleid IS NOT NULL)
 ORDER BY 1, 2
