-- Positive allowlist: every privilege the runtime roles (api, platform) EFFECTIVELY hold on
-- the relations (tables, partitions, views, materialized views, foreign tables), columns,
-- sequences, functions and procedures, schemas of every application schema, on this database
-- and on large objects, through direct grants, groups, PUBLIC, ownership and PostgreSQL's
-- predefined roles, minus what checks/allowlist/runtime_privileges.toml names. One row per
-- role and object, each privilege with the path that grants it. Cost follows the catalog
-- (objects x 2 roles x a few privileges), never the rows of a table; large objects are
-- grouped by owner and ACL before any privilege is computed.
-- Parameters: a_role, a_kind, a_object, a_priv (text[], parallel): the allowlisted privileges.
-- Used with query parameters: keep this file free of percent signs.
WITH rt AS (SELECT oid, rolname::text AS rolname FROM pg_catalog.pg_roles
             WHERE rolname IN ('solvereign_api', 'solvereign_platform')),
     allowed AS (SELECT * FROM unnest(%(a_role)s::text[], %(a_kind)s::text[],
                                      %(a_object)s::text[], %(a_priv)s::text[])
                        AS a(role, kind, object, priv)),
     walk AS (SELECT * FROM /*include:_runtime_memberships*/ w),
     ns AS (SELECT * FROM /*include:_app_schemas*/ s),
     newer AS (SELECT pg_catalog.current_setting('server_version_num')::int >= 170000 AS v17),
     rel AS (
    SELECT c.oid, CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                                 WHEN 'f' THEN 'foreign table' WHEN 'S' THEN 'sequence'
                                 ELSE 'table' END AS kind,
           pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS name,
           c.relowner AS owner, c.relacl AS acl,
           CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END AS aclkind,
           c.relkind IN ('r', 'p', 'f', 'm') AND NOT EXISTS (
               SELECT 1 FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
               AS global
      FROM pg_catalog.pg_class c JOIN ns n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')),
     held AS (
    -- relations and sequences: the table-level privilege, however it is held
    SELECT rt.oid AS roleoid, rt.rolname AS role, rel.kind, rel.name, rel.name AS allow_name,
           p.priv, rel.owner, rel.acl, rel.aclkind, rel.global, NULL::text AS note
      FROM rt CROSS JOIN rel CROSS JOIN newer
     CROSS JOIN LATERAL unnest(CASE WHEN rel.kind = 'sequence'
                                    THEN ARRAY['USAGE', 'SELECT', 'UPDATE']
                                    ELSE ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE',
                                               'REFERENCES', 'TRIGGER']
                                         || CASE WHEN newer.v17 THEN ARRAY['MAINTAIN']
                                                 ELSE ARRAY[]::text[] END END) AS p(priv)
     WHERE CASE WHEN rel.kind = 'sequence'
                THEN pg_catalog.has_sequence_privilege(rt.oid, rel.oid, p.priv)
                ELSE pg_catalog.has_table_privilege(rt.oid, rel.oid, p.priv) END
    UNION ALL
    -- columns: a column grant where the table-level privilege is not held
    SELECT rt.oid, rt.rolname, 'column', rel.name || '.' || pg_catalog.quote_ident(a.attname),
           rel.name || '.' || pg_catalog.quote_ident(a.attname), p.priv, rel.owner, a.attacl,
           'c', rel.global, NULL
      FROM rt CROSS JOIN rel
      JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid AND a.attacl IS NOT NULL
                                     AND a.attnum > 0 AND NOT a.attisdropped
     CROSS JOIN LATERAL unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) AS p(priv)
     WHERE rel.kind <> 'sequence'
       AND pg_catalog.has_column_privilege(rt.oid, rel.oid, a.attnum, p.priv)
       AND NOT pg_catalog.has_table_privilege(rt.oid, rel.oid, p.priv)
    UNION ALL
    -- functions, procedures, aggregates: EXECUTE (PUBLIC has it unless revoked)
    SELECT rt.oid, rt.rolname, 'function', f.oid::pg_catalog.regprocedure::text,
           f.oid::pg_catalog.regprocedure::text, 'EXECUTE', f.proowner, f.proacl, 'f', false,
           CASE WHEN f.prosecdef THEN 'SECURITY DEFINER' END
      FROM rt CROSS JOIN pg_catalog.pg_proc f JOIN ns n ON n.oid = f.pronamespace
     WHERE pg_catalog.has_function_privilege(rt.oid, f.oid, 'EXECUTE')
    UNION ALL
    SELECT rt.oid, rt.rolname, 'schema', pg_catalog.quote_ident(n.nspname),
           n.nspname::text, p.priv, s.nspowner, s.nspacl, 'n', false, NULL
      FROM rt CROSS JOIN ns n JOIN pg_catalog.pg_namespace s ON s.oid = n.oid
     CROSS JOIN LATERAL unnest(ARRAY['USAGE', 'CREATE']) AS p(priv)
     WHERE pg_catalog.has_schema_privilege(rt.oid, n.oid, p.priv)
    UNION ALL
    SELECT rt.oid, rt.rolname, 'database', pg_catalog.quote_ident(d.datname), 'current',
           p.priv, d.datdba, d.datacl, 'd', false, NULL
      FROM rt CROSS JOIN pg_catalog.pg_database d
     CROSS JOIN LATERAL unnest(ARRAY['CONNECT', 'CREATE', 'TEMPORARY']) AS p(priv)
     WHERE d.datname = pg_catalog.current_database()
       AND pg_catalog.has_database_privilege(rt.oid, d.oid, p.priv)
    UNION ALL
    -- large objects (no has_*_privilege before PostgreSQL 18): owner, ACL or
    -- lo_compat_privileges, judged once per owner and ACL
    SELECT rt.oid, rt.rolname, 'large object', 'owned by ' || pg_catalog.pg_get_userbyid(lo.owner),
           'owned by ' || pg_catalog.pg_get_userbyid(lo.owner), p.priv, lo.owner, lo.acl, 'L',
           false, lo.n || ' large object(s), e.g. ' || lo.example
      FROM rt CROSS JOIN (SELECT lomowner AS owner, lomacl AS acl, count(*) AS n,
                                 min(oid) AS example
                            FROM pg_catalog.pg_largeobject_metadata GROUP BY 1, 2) lo
     CROSS JOIN LATERAL unnest(ARRAY['SELECT', 'UPDATE']) AS p(priv)
     WHERE pg_catalog.current_setting('lo_compat_privileges')::bool
        OR pg_catalog.pg_has_role(rt.oid, lo.owner, 'USAGE')
        OR EXISTS (SELECT 1 FROM pg_catalog.aclexplode(coalesce(lo.acl,
                                     pg_catalog.acldefault('L', lo.owner))) x
                    WHERE x.privilege_type = p.priv
                      AND (x.grantee = 0 OR pg_catalog.pg_has_role(rt.oid, x.grantee, 'USAGE')))),
     outside AS (
    SELECT h.* FROM held h
     WHERE NOT EXISTS (SELECT 1 FROM allowed a
                        WHERE a.role = h.role AND a.kind = h.kind
                          AND a.object = h.allow_name AND a.priv = h.priv)),
     pathed AS (
    SELECT o.*, (
        SELECT coalesce(pg_catalog.string_agg(DISTINCT way, ', '), 'no grant found')
          FROM (SELECT CASE WHEN x.grantee = 0 THEN 'via PUBLIC'
                            WHEN x.grantee = o.roleoid THEN 'direct'
                            ELSE 'via role ' || coalesce(w.path, pg_catalog.pg_get_userbyid(x.grantee))
                       END AS way
                  FROM pg_catalog.aclexplode(coalesce(o.acl, CASE WHEN o.aclkind = 'c' THEN NULL
                                                     ELSE pg_catalog.acldefault(o.aclkind::"char", o.owner) END)) x
                  LEFT JOIN walk w ON w.runtime = o.roleoid AND w.roleid = x.grantee
                 WHERE x.privilege_type = o.priv AND x.grantee <> o.owner
                   AND (x.grantee = 0 OR pg_catalog.pg_has_role(o.roleoid, x.grantee, 'MEMBER'))
                UNION ALL
                SELECT CASE WHEN o.owner = o.roleoid THEN 'as owner'
                            ELSE 'as owner via role ' || coalesce(w.path, pg_catalog.pg_get_userbyid(o.owner)) END
                  FROM (SELECT 1) one LEFT JOIN walk w ON w.runtime = o.roleoid AND w.roleid = o.owner
                 WHERE pg_catalog.pg_has_role(o.roleoid, o.owner, 'MEMBER')
                UNION ALL
                SELECT 'via role ' || w.path
                  FROM walk w
                 WHERE w.runtime = o.roleoid
                   AND ((w.rolname = 'pg_read_all_data'
                         AND (o.priv = 'SELECT' OR (o.kind = 'schema' AND o.priv = 'USAGE')))
                     OR (w.rolname = 'pg_write_all_data'
                         AND (o.priv IN ('INSERT', 'UPDATE', 'DELETE')
                              OR (o.kind = 'schema' AND o.priv = 'USAGE')))
                     OR (w.rolname = 'pg_maintain' AND o.priv = 'MAINTAIN'))
                UNION ALL
                SELECT 'via lo_compat_privileges = on'
                 WHERE o.kind = 'large object'
                   AND pg_catalog.current_setting('lo_compat_privileges')::bool) ways) AS path
      FROM outside o)
SELECT role || ': ' || kind || ' ' || name AS object,
       pg_catalog.string_agg(priv || ' ' || path, '; '
                             ORDER BY pg_catalog.array_position(ARRAY['SELECT', 'INSERT', 'UPDATE',
                                 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN', 'USAGE',
                                 'CREATE', 'CONNECT', 'TEMPORARY', 'EXECUTE'], priv))
       || CASE WHEN bool_or(global AND priv IN ('SELECT', 'UPDATE', 'DELETE', 'TRUNCATE'))
               THEN ' (global table: no tenant_id column)' ELSE '' END
       || coalesce(' (' || max(note) || ')', '') AS detail
  FROM pathed
 GROUP BY role, kind, name
 ORDER BY 1, 2
