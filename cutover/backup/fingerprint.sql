-- The security fingerprint: ownership, effective privileges, row-level security, policies,
-- function security attributes and default privileges of everything a restore recreates.
-- Objects are named, never identified by OID (a restored database has new OIDs); a NULL ACL
-- is spelled out with acldefault() and ACL items are sorted, so equal privileges compare
-- equal however they were granted. Run with search_path = '' so every name is qualified.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
      FROM pg_catalog.pg_namespace n
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
       AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
),
ext AS (
    SELECT e.classid, e.objid FROM pg_catalog.pg_depend e WHERE e.deptype = 'e'
),
rows AS (
    SELECT 'database' AS kind, '' AS name,
           concat_ws(' ',
               'owner=' || pg_catalog.pg_get_userbyid(d.datdba),
               'acl=' || (SELECT pg_catalog.string_agg(x::text, ',' ORDER BY x::text)
                            FROM unnest(coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))) x),
               'settings=' || coalesce((
                   SELECT pg_catalog.string_agg(e, ',' ORDER BY e)
                     FROM (SELECT coalesce(pg_catalog.pg_get_userbyid(NULLIF(s.setrole, 0)), '*')
                                  || ':' || cfg AS e
                             FROM pg_catalog.pg_db_role_setting s, unnest(s.setconfig) cfg
                            WHERE s.setdatabase = d.oid) AS settings), '')) AS detail
      FROM pg_catalog.pg_database d
     WHERE d.datname = pg_catalog.current_database()
    UNION ALL
    SELECT 'schema', pg_catalog.quote_ident(n.nspname),
           concat_ws(' ',
               'owner=' || pg_catalog.pg_get_userbyid(n.nspowner),
               'acl=' || (SELECT pg_catalog.string_agg(x::text, ',' ORDER BY x::text)
                            FROM unnest(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) x))
      FROM ns n
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_namespace'::regclass
                                           AND ext.objid = n.oid)
    UNION ALL
    SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view'
                          WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
                          ELSE 'table' END,
           c.oid::regclass::text,
           concat_ws(' ',
               'owner=' || pg_catalog.pg_get_userbyid(c.relowner),
               'acl=' || (SELECT pg_catalog.string_agg(x::text, ',' ORDER BY x::text)
                            FROM unnest(coalesce(c.relacl, pg_catalog.acldefault(
                                CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) x),
               'rls=' || c.relrowsecurity, 'force=' || c.relforcerowsecurity,
               'options=' || coalesce(array_to_string(
                   ARRAY(SELECT o FROM unnest(c.reloptions) o ORDER BY o), ','), ''))
      FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_class'::regclass
                                           AND ext.objid = c.oid)
    UNION ALL
    SELECT 'column', c.oid::regclass::text || '.' || pg_catalog.quote_ident(a.attname),
           'acl=' || (SELECT pg_catalog.string_agg(x::text, ',' ORDER BY x::text)
                        FROM unnest(a.attacl) x)
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
      JOIN ns ON ns.oid = c.relnamespace
     WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'function', p.oid::regprocedure::text,
           concat_ws(' ',
               'owner=' || pg_catalog.pg_get_userbyid(p.proowner),
               'acl=' || (SELECT pg_catalog.string_agg(x::text, ',' ORDER BY x::text)
                            FROM unnest(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) x),
               'definer=' || p.prosecdef, 'leakproof=' || p.proleakproof,
               'config=' || coalesce(array_to_string(p.proconfig, ','), ''),
               'body=' || pg_catalog.md5(coalesce(p.prosrc, '')))
      FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_proc'::regclass
                                           AND ext.objid = p.oid)
    UNION ALL
    SELECT 'type', t.oid::regtype::text,
           concat_ws(' ',
               'owner=' || pg_catalog.pg_get_userbyid(t.typowner),
               'acl=' || (SELECT pg_catalog.string_agg(x::text, ',' ORDER BY x::text)
                            FROM unnest(coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))) x))
      FROM pg_catalog.pg_type t JOIN ns ON ns.oid = t.typnamespace
     WHERE t.typtype IN ('d', 'e', 'r', 'm', 'c')
       AND (t.typrelid = 0 OR (SELECT relkind FROM pg_catalog.pg_class
                                WHERE oid = t.typrelid) = 'c')
       AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_type'::regclass
                                           AND ext.objid = t.oid)
    UNION ALL
    SELECT 'default privileges',
           pg_catalog.pg_get_userbyid(da.defaclrole) || ' in '
               || coalesce(pg_catalog.quote_ident(n.nspname), '*') || ' on '
               || da.defaclobjtype::text,
           'acl=' || (SELECT pg_catalog.string_agg(x::text, ',' ORDER BY x::text)
                        FROM unnest(da.defaclacl) x)
      FROM pg_catalog.pg_default_acl da
      LEFT JOIN pg_catalog.pg_namespace n ON n.oid = da.defaclnamespace
    UNION ALL
    SELECT 'policy', pol.polrelid::regclass::text || ' ' || pg_catalog.quote_ident(pol.polname),
           concat_ws(' ',
               'permissive=' || pol.polpermissive, 'cmd=' || pol.polcmd::text,
               'roles=' || (SELECT pg_catalog.string_agg(role, ',' ORDER BY role)
                              FROM (SELECT CASE WHEN r = 0 THEN 'PUBLIC'
                                                ELSE pg_catalog.pg_get_userbyid(r)::text END
                                               AS role
                                      FROM unnest(pol.polroles) r) AS roles),
               'using=' || coalesce(pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), ''),
               'check=' || coalesce(pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid), ''))
      FROM pg_catalog.pg_policy pol
    UNION ALL
    SELECT 'extension', pg_catalog.quote_ident(x.extname),
           concat_ws(' ', 'version=' || x.extversion,
                     'schema=' || pg_catalog.quote_ident(n.nspname),
                     'owner=' || pg_catalog.pg_get_userbyid(x.extowner))
      FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
     WHERE x.extname <> 'plpgsql'
)
SELECT kind, name, detail FROM rows ORDER BY kind, name, detail;
