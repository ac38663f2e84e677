-- row_security = off makes queries that RLS would filter fail or, for bypassing roles,
-- silently return everything; it must not be a role default.
SELECT r.rolname AS object, s.cfg AS detail
  FROM pg_roles r
  CROSS JOIN LATERAL (SELECT unnest(coalesce(r.rolconfig, '{}')) AS cfg
                      UNION ALL
                      SELECT unnest(d.setconfig) FROM pg_db_role_setting d
                       WHERE d.setrole = r.oid) s
 WHERE r.rolname LIKE 'solvereign%' AND s.cfg ~* '^row_security=(off|false|0)$'
 ORDER BY 1, 2
