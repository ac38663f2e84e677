-- The only BYPASSRLS role (superusers aside) is solvereign_backup, and nobody else can
-- become it: a member of a BYPASSRLS role (directly or through groups) can SET ROLE to it
-- and read every tenant, so membership counts as the attribute.
SELECT rolname AS object, 'BYPASSRLS' AS detail
  FROM pg_roles
 WHERE rolbypassrls AND NOT rolsuper AND rolname <> 'solvereign_backup'
UNION ALL
SELECT m.rolname, 'BYPASSRLS through membership in ' || b.rolname
  FROM pg_roles b JOIN pg_roles m
    ON m.oid <> b.oid AND NOT m.rolsuper AND pg_has_role(m.oid, b.oid, 'MEMBER')
 WHERE b.rolbypassrls AND NOT b.rolsuper
 ORDER BY 1, 2
