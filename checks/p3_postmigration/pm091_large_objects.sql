-- Large objects carry their own ACL and no RLS at all: one readable by PUBLIC or a runtime
-- role is readable by every tenant, and lo_compat_privileges = on turns every ACL off.
-- Membership counts (pg_has_role): a grant to a group the api role belongs to is a grant
-- to the api role. Owning one is holding every privilege on it.
WITH rt AS (SELECT oid, rolname FROM pg_roles WHERE rolname IN ('solvereign_api', 'solvereign_platform'))
SELECT 'large object ' || lo.oid AS object,
       string_agg(DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE rt.rolname END
                  || ' may ' || a.privilege_type, ', ') AS detail
  FROM pg_largeobject_metadata lo
       CROSS JOIN LATERAL aclexplode(coalesce(lo.lomacl, acldefault('L', lo.lomowner))) a
       CROSS JOIN rt
 WHERE CASE WHEN a.grantee = 0 THEN true ELSE pg_has_role(rt.oid, a.grantee, 'MEMBER') END
 GROUP BY lo.oid
UNION ALL
SELECT 'lo_compat_privileges', 'on: every role may read and write every large object'
 WHERE current_setting('lo_compat_privileges') = 'on'
 ORDER BY 1
