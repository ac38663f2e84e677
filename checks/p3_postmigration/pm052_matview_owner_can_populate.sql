-- REFRESH MATERIALIZED VIEW runs the view's query as the view's owner, with no tenant set.
-- A base relation under row-level security that applies to the owner (RLS on, the owner
-- neither superuser nor BYPASSRLS, and not the table's owner or the table FORCEd) filters
-- the refresh through the policies that apply to the owner (TO one of its roles or PUBLIC,
-- SELECT or ALL). When every such policy reads the tenant setting, or names another role
-- as current_user or any session_user, the owner sees no row:
-- the next refresh empties the view, and a pg_restore (row_security off) fails on it.
WITH RECURSIVE deps(mv, rel) AS (
    SELECT m.oid, d.refobjid
      FROM pg_class m
      JOIN pg_rewrite rw ON rw.ev_class = m.oid
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> m.oid
     WHERE m.relkind = 'm'
    UNION
    SELECT deps.mv, d.refobjid              -- through plain views: their rule's relations
      FROM deps
      JOIN pg_class v ON v.oid = deps.rel AND v.relkind = 'v'
      JOIN pg_rewrite rw ON rw.ev_class = v.oid
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> v.oid
)
SELECT DISTINCT format('%s', m.oid::regclass) AS object,
       format('its owner %s sees no row of %s without a tenant set (row security %s, only '
              'tenant-bound policies apply to it): a REFRESH empties it',
              pg_get_userbyid(m.relowner), t.oid::regclass,
              CASE WHEN t.relforcerowsecurity THEN 'FORCEd' ELSE 'on' END) AS detail
  FROM deps
  JOIN pg_class m ON m.oid = deps.mv
  JOIN pg_roles o ON o.oid = m.relowner
  JOIN pg_class t ON t.oid = deps.rel AND t.relkind IN ('r', 'p') AND t.relrowsecurity
 WHERE NOT o.rolsuper AND NOT o.rolbypassrls
   AND (t.relforcerowsecurity OR NOT pg_has_role(m.relowner, t.relowner, 'USAGE'))
   AND NOT EXISTS (
        SELECT 1 FROM pg_policy p
         WHERE p.polrelid = t.oid AND p.polpermissive AND p.polcmd IN ('r', '*')
           AND (p.polroles = '{0}' OR EXISTS (
                    SELECT 1 FROM unnest(p.polroles) r(oid)
                     WHERE r.oid <> 0 AND pg_has_role(m.relowner, r.oid, 'MEMBER')))
           AND pg_get_expr(p.polqual, p.polrelid) NOT LIKE '%app.tenant_id%'
           -- a refresh's session_user is whoever runs the job, its current_user the owner
           AND pg_get_expr(p.polqual, p.polrelid) !~* 'session_user'
           AND coalesce(substring(pg_get_expr(p.polqual, p.polrelid)
                                  FROM '(?i)current_user\s*=\s*''([^'']+)'''),
                        o.rolname) = o.rolname)
 ORDER BY 1, 2
