-- The runbook's ACL scan (PUBLIC grants on application tables), widened to every kind of
-- object PUBLIC could hold a privilege on. One row per object and kind; empty after 025f.
-- Languages are left out on purpose: PUBLIC USAGE on the trusted sql/plpgsql is PostgreSQL's
-- default and harmless while nobody but the owners can CREATE in a schema (PM-032, PM-043).
-- Scope: every schema that is not PostgreSQL's own (the same rule as
-- checks/p3_postmigration/_app_schemas.sql; tests/gate/test_aclscan_scope.py keeps them equal).
WITH ns AS (
    SELECT oid, nspname FROM pg_namespace
     WHERE nspname NOT IN ('pg_catalog', 'information_schema')
       AND nspname !~ '^pg_(toast|temp_[0-9]+|toast_temp_[0-9]+)$'
)
SELECT kind, object, privileges FROM (
    SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view'
                          WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
                          ELSE 'table' END AS kind,
           format('%I.%I', ns.nspname, c.relname) AS object,
           string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS privileges
      FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
           CROSS JOIN LATERAL aclexplode(c.relacl) a
     WHERE a.grantee = 0 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
     GROUP BY 1, 2
    UNION ALL
    SELECT 'column', format('%I.%I.%I', ns.nspname, c.relname, att.attname),
           string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
      JOIN ns ON ns.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(att.attacl) a
     WHERE a.grantee = 0
     GROUP BY 1, 2
    UNION ALL
    SELECT 'function', p.oid::regprocedure::text,
           CASE WHEN p.proacl IS NULL THEN 'EXECUTE (built-in default)' ELSE 'EXECUTE' END
      FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
     WHERE (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
                                         WHERE a.grantee = 0))
    UNION ALL
    SELECT 'type', format('%I.%I', ns.nspname, t.typname),
           CASE WHEN t.typacl IS NULL THEN 'USAGE (built-in default)' ELSE 'USAGE' END
      FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
     WHERE t.typrelid = 0 AND t.typelem = 0 AND t.typtype IN ('b', 'd', 'e', 'r', 'm')
       AND (t.typacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(t.typacl) a
                                         WHERE a.grantee = 0))
    UNION ALL
    SELECT 'schema', ns.nspname, string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM pg_namespace n JOIN ns ON ns.oid = n.oid CROSS JOIN LATERAL aclexplode(n.nspacl) a
     WHERE a.grantee = 0
     GROUP BY 1, 2
    UNION ALL
    SELECT 'database', d.datname,
           CASE WHEN d.datacl IS NULL THEN 'CONNECT, TEMPORARY (built-in default)'
                ELSE (SELECT string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
                        FROM aclexplode(d.datacl) a WHERE a.grantee = 0) END
      FROM pg_database d
     WHERE d.datname = current_database()
       AND (d.datacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(d.datacl) a
                                         WHERE a.grantee = 0))
    UNION ALL
    SELECT 'default privileges', pg_get_userbyid(d.defaclrole) || ' '
           || CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences'
                                   WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types'
                                   ELSE 'schemas' END || coalesce(' in ' || n.nspname, ''),
           string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
           CROSS JOIN LATERAL aclexplode(d.defaclacl) a
     WHERE a.grantee = 0
     GROUP BY 1, 2
    UNION ALL
    SELECT 'large object', lo.oid::text, string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM pg_largeobject_metadata lo CROSS JOIN LATERAL aclexplode(lo.lomacl) a
     WHERE a.grantee = 0
     GROUP BY 1, 2
    UNION ALL
    SELECT 'foreign data wrapper', w.fdwname, string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM pg_foreign_data_wrapper w CROSS JOIN LATERAL aclexplode(w.fdwacl) a
     WHERE a.grantee = 0
     GROUP BY 1, 2
    UNION ALL
    SELECT 'foreign server', s.srvname, string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM pg_foreign_server s CROSS JOIN LATERAL aclexplode(s.srvacl) a
     WHERE a.grantee = 0
     GROUP BY 1, 2
) findings
ORDER BY kind, object
