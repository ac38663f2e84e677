-- row_security = off makes queries that RLS would filter fail or, for bypassing roles,
-- silently return everything; it must not be a default of an application role, of an
-- application role in this database, of every role (ALTER ROLE ALL, cluster-wide or in this
-- database), or of this database for everyone.
-- Booleans accept any unambiguous prefix: of, f..false, n, no, 0 all mean off.
WITH settings AS (
    SELECT r.rolname AS object, s.cfg
      FROM pg_catalog.pg_roles r
     CROSS JOIN LATERAL (SELECT unnest(coalesce(r.rolconfig, '{}')) AS cfg
                         UNION ALL
                         SELECT unnest(d.setconfig) FROM pg_catalog.pg_db_role_setting d
                          WHERE d.setrole = r.oid) s
     WHERE r.rolname LIKE 'solvereign%'
    UNION ALL
    SELECT 'database ' || db.datname, unnest(d.setconfig)
      FROM pg_catalog.pg_db_role_setting d
      JOIN pg_catalog.pg_database db ON db.oid = d.setdatabase
     WHERE d.setrole = 0 AND db.datname = pg_catalog.current_database()
    UNION ALL
    SELECT 'every role (ALTER ROLE ALL)', unnest(d.setconfig)
      FROM pg_catalog.pg_db_role_setting d
     WHERE d.setrole = 0 AND d.setdatabase = 0
)
SELECT object, cfg AS detail
  FROM settings
 WHERE cfg ~* '^row_security=(of|off|f|fa|fal|fals|false|n|no|0)$'
 ORDER BY 1, 2
