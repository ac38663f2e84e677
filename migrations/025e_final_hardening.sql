-- 025e_final_hardening: views run as their caller, no materialized view for the api role,
-- and the authoritative verify_final_hardening().
--
-- Fixes W17 (roster.v_plan_assignments without security_invoker) and W18
-- (routing.mv_route_daily readable by the api role: a materialized view has no RLS).
-- verify_final_hardening() judges the security catalogue of DESIGN §4.1 that SQL can
-- judge, one row per item: (check_name, status PASS|FAIL, details naming the offenders).
-- Run after 025e and before 025f, the ACL rows FAIL; after 025f every row PASSes.
-- Safe to re-run; catalog-only.

SET LOCAL ROLE solvereign_owner;

ALTER VIEW roster.v_plan_assignments SET (security_invoker = true);
REVOKE ALL ON routing.mv_route_daily FROM solvereign_api;

-- The function only reads catalogs, so it runs as its caller (SECURITY INVOKER) with a
-- fixed search_path; it lives in public so `SELECT * FROM verify_final_hardening()` resolves.
CREATE OR REPLACE FUNCTION public.verify_final_hardening()
    RETURNS TABLE (check_name text, status text, details text)
    LANGUAGE sql
    STABLE
    SET search_path = pg_catalog, pg_temp
AS $fn$
WITH app_ns AS (
    SELECT oid, nspname FROM pg_namespace WHERE nspname IN ('core', 'roster', 'routing')
), acl_ns AS (
    SELECT oid, nspname FROM pg_namespace
     WHERE nspname IN ('core', 'roster', 'routing', 'public', 'meta')
), rels AS (
    SELECT c.oid, c.relname, c.relkind, c.relowner, c.relacl, c.relrowsecurity,
           c.relforcerowsecurity, c.reloptions, n.nspname,
           format('%I.%I', n.nspname, c.relname) AS name,
           coalesce(obj_description(c.oid, 'pg_class'), '') AS note
      FROM pg_class c JOIN app_ns n ON n.oid = c.relnamespace
), tenant_tables AS (
    -- tables with a tenant key, unless classified GLOBAL on purpose (in 024)
    SELECT r.* FROM rels r
     WHERE r.relkind IN ('r', 'p')
       AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = r.oid
                      AND a.attname = 'tenant_id' AND NOT a.attisdropped)
       AND r.note NOT LIKE 'GLOBAL: %'
), rls_tables AS (
    SELECT * FROM tenant_tables
    UNION SELECT r.* FROM rels r WHERE r.name = 'core.tenants'
), api AS (
    SELECT oid FROM pg_roles WHERE rolname = 'solvereign_api'
), pol AS (
    SELECT p.*, r.name AS tname, c.oid AS reloid,
           pg_get_expr(p.polqual, p.polrelid) AS qual,
           pg_get_expr(p.polwithcheck, p.polrelid) AS wcheck
      FROM pg_policy p JOIN rels r ON r.oid = p.polrelid JOIN pg_class c ON c.oid = r.oid
), tenant_expr AS (
    SELECT '(tenant_id = current_setting(''app.tenant_id''::text, true))' AS e
), checks AS (
    SELECT 'rls_enabled_and_forced' AS check_name, name AS obj,
           'RLS ' || CASE WHEN relrowsecurity THEN 'enabled' ELSE 'disabled' END
           || ', ' || CASE WHEN relforcerowsecurity THEN 'forced' ELSE 'not forced' END AS why
      FROM rls_tables WHERE NOT (relrowsecurity AND relforcerowsecurity)
    UNION ALL
    SELECT 'tables_classified', name, 'no tenant_id and not classified GLOBAL'
      FROM rels r WHERE r.relkind IN ('r', 'p') AND r.note NOT LIKE 'GLOBAL: %'
       AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = r.oid
                          AND a.attname = 'tenant_id' AND NOT a.attisdropped)
    UNION ALL
    SELECT 'tenant_policies_bound', t.name,
           'no policy for the api role'
      FROM tenant_tables t
     WHERE NOT EXISTS (SELECT 1 FROM pol WHERE pol.polrelid = t.oid
                          AND ((SELECT oid FROM api) = ANY (pol.polroles) OR 0 = ANY (pol.polroles)))
    UNION ALL
    SELECT 'tenant_policies_bound', pol.tname || ' policy ' || pol.polname,
           'USING ' || coalesce(pol.qual, '-') || ' WITH CHECK ' || coalesce(pol.wcheck, '-')
      FROM pol JOIN tenant_tables t ON t.oid = pol.polrelid
     WHERE pol.polpermissive
       AND ((SELECT oid FROM api) = ANY (pol.polroles) OR 0 = ANY (pol.polroles))
       AND (coalesce(pol.qual, '') <> (SELECT e FROM tenant_expr) AND pol.polcmd <> 'a'
            OR coalesce(pol.wcheck, pol.qual, '') <> (SELECT e FROM tenant_expr)
               AND pol.polcmd IN ('*', 'a', 'w'))
    UNION ALL
    SELECT 'no_permissive_bypass_policies', tname || ' policy ' || polname,
           coalesce(qual, '-') || ' / ' || coalesce(wcheck, '-')
      FROM pol
     WHERE qual ~* '^\(?\s*true\s*\)?$' OR wcheck ~* '^\(?\s*true\s*\)?$'
        OR qual ~* 'IS NULL\)? OR' OR wcheck ~* 'IS NULL\)? OR'
    UNION ALL
    SELECT 'no_policies_to_public', tname || ' policy ' || polname, 'applies to PUBLIC'
      FROM pol WHERE 0 = ANY (polroles)
    UNION ALL
    SELECT 'no_leakproof_functions', p.oid::regprocedure::text, 'LEAKPROOF'
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.proleakproof AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL
    SELECT 'no_row_security_override', r.rolname,
           array_to_string(coalesce(s.setconfig, r.rolconfig), ' ')
      FROM pg_roles r LEFT JOIN pg_db_role_setting s ON s.setrole = r.oid
     WHERE r.rolname LIKE 'solvereign\_%'
       AND array_to_string(coalesce(s.setconfig, '{}') || coalesce(r.rolconfig, '{}'), ' ')
           ~* '(^|\s)row_security=(of|off|f|fa|fal|fals|false|n|no|0)(\s|$)'
    UNION ALL
    SELECT 'no_row_security_override', 'database ' || d.datname,
           array_to_string(s.setconfig, ' ')
      FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
     WHERE s.setrole = 0 AND d.datname = current_database()
       AND array_to_string(s.setconfig, ' ')
           ~* '(^|\s)row_security=(of|off|f|fa|fal|fals|false|n|no|0)(\s|$)'
    UNION ALL
    SELECT 'app_roles_least_attributes', rolname,
           concat_ws(' ', CASE WHEN rolsuper THEN 'SUPERUSER' END,
                          CASE WHEN rolbypassrls THEN 'BYPASSRLS' END,
                          CASE WHEN rolcreaterole THEN 'CREATEROLE' END,
                          CASE WHEN rolcreatedb THEN 'CREATEDB' END,
                          CASE WHEN rolreplication THEN 'REPLICATION' END)
      FROM pg_roles
     WHERE rolname IN ('solvereign_api', 'solvereign_platform')
       AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)
    UNION ALL
    SELECT 'app_roles_own_nothing', x.obj, 'owned by ' || pg_get_userbyid(x.owner)
      FROM (SELECT name AS obj, relowner AS owner FROM rels
            UNION ALL SELECT p.oid::regprocedure::text, p.proowner FROM pg_proc p
              JOIN app_ns n ON n.oid = p.pronamespace
            UNION ALL SELECT nspname, nspowner FROM pg_namespace
             WHERE nspname IN ('core', 'roster', 'routing')) x
      JOIN pg_roles a ON a.rolname IN ('solvereign_api', 'solvereign_platform')
     WHERE pg_has_role(a.oid, x.owner, 'USAGE')
    UNION ALL
    SELECT 'app_roles_not_members_of_owners', a.rolname,
           'member of ' || string_agg(g.rolname, ', ' ORDER BY g.rolname)
      FROM pg_roles a JOIN pg_roles g
        ON g.rolname IN ('solvereign_owner', 'solvereign_definer', 'solvereign_migrator')
       AND pg_has_role(a.oid, g.oid, 'MEMBER')
     WHERE a.rolname IN ('solvereign_api', 'solvereign_platform')
     GROUP BY a.rolname
    UNION ALL
    SELECT 'bypassrls_only_backup', rolname, 'BYPASSRLS'
      FROM pg_roles WHERE rolbypassrls AND NOT rolsuper AND rolname <> 'solvereign_backup'
    UNION ALL
    SELECT 'no_public_table_privileges', format('%I.%I', n.nspname, c.relname),
           'PUBLIC has ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM pg_class c JOIN acl_ns n ON n.oid = c.relnamespace,
           aclexplode(c.relacl) a
     WHERE a.grantee = 0 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
     GROUP BY n.nspname, c.relname
    UNION ALL
    SELECT 'no_public_sequence_privileges', format('%I.%I', n.nspname, c.relname),
           'PUBLIC has ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM pg_class c JOIN acl_ns n ON n.oid = c.relnamespace,
           aclexplode(c.relacl) a
     WHERE a.grantee = 0 AND c.relkind = 'S'
     GROUP BY n.nspname, c.relname
    UNION ALL
    SELECT 'no_public_function_privileges', p.oid::regprocedure::text,
           CASE WHEN p.proacl IS NULL THEN 'default ACL: PUBLIC may EXECUTE'
                ELSE 'PUBLIC may EXECUTE' END
      FROM pg_proc p JOIN acl_ns n ON n.oid = p.pronamespace
     WHERE p.proacl IS NULL
        OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0)
    UNION ALL
    SELECT 'no_public_schema_privileges', n.nspname,
           'PUBLIC has ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM pg_namespace n, aclexplode(n.nspacl) a
     WHERE n.nspname IN ('core', 'roster', 'routing', 'public', 'meta') AND a.grantee = 0
     GROUP BY n.nspname
    UNION ALL
    SELECT 'no_public_database_temp', d.datname,
           CASE WHEN d.datacl IS NULL THEN 'default ACL: PUBLIC may create TEMP objects'
                ELSE 'PUBLIC has TEMPORARY' END
      FROM pg_database d
     WHERE d.datname = current_database()
       AND (d.datacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(d.datacl) a
                                         WHERE a.grantee = 0
                                           AND a.privilege_type IN ('TEMPORARY', 'CREATE')))
    UNION ALL
    SELECT 'api_no_truncate_references_trigger', t.name,
           concat_ws(', ', CASE WHEN has_table_privilege('solvereign_api', t.oid, 'TRUNCATE')
                                THEN 'TRUNCATE' END,
                           CASE WHEN has_table_privilege('solvereign_api', t.oid, 'REFERENCES')
                                THEN 'REFERENCES' END,
                           CASE WHEN has_table_privilege('solvereign_api', t.oid, 'TRIGGER')
                                THEN 'TRIGGER' END)
      FROM rels t
     WHERE t.relkind IN ('r', 'p')
       AND (has_table_privilege('solvereign_api', t.oid, 'TRUNCATE')
        OR has_table_privilege('solvereign_api', t.oid, 'REFERENCES')
        OR has_table_privilege('solvereign_api', t.oid, 'TRIGGER'))
    UNION ALL
    SELECT 'no_grant_options', x.obj, pg_get_userbyid(x.grantee) || ' may grant ' || x.priv
      FROM (SELECT r.name AS obj, a.grantee, a.grantor, a.privilege_type AS priv,
                   a.is_grantable, r.relowner AS owner
              FROM rels r, aclexplode(r.relacl) a
            UNION ALL
            SELECT p.oid::regprocedure::text, a.grantee, a.grantor, a.privilege_type,
                   a.is_grantable, p.proowner
              FROM pg_proc p JOIN app_ns n ON n.oid = p.pronamespace, aclexplode(p.proacl) a
            UNION ALL
            SELECT n.nspname, a.grantee, a.grantor, a.privilege_type, a.is_grantable,
                   n.nspowner
              FROM pg_namespace n, aclexplode(n.nspacl) a
             WHERE n.nspname IN ('core', 'roster', 'routing')) x
     WHERE x.is_grantable AND x.grantee <> x.owner
    UNION ALL
    SELECT 'default_privileges_no_public', pg_get_userbyid(d.defaclrole) || ' '
           || CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences'
                                   WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types'
                                   ELSE 'schemas' END
           || coalesce(' in ' || n.nspname, ''),
           'grants ' || a.privilege_type || ' to PUBLIC'
      FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace,
           aclexplode(d.defaclacl) a
     WHERE a.grantee = 0
       AND d.defaclrole IN ('solvereign_owner'::regrole, 'solvereign_definer'::regrole)
    UNION ALL
    SELECT 'default_privileges_no_public', r.rolname || ' ' || k.what,
           'built-in default grants ' || k.priv || ' to PUBLIC'
      FROM pg_roles r
     CROSS JOIN (VALUES ('f', 'functions', 'EXECUTE'), ('T', 'types', 'USAGE')) k(t, what, priv)
     WHERE r.rolname IN ('solvereign_owner', 'solvereign_definer')
       AND NOT EXISTS (SELECT 1 FROM pg_default_acl d
                        WHERE d.defaclrole = r.oid AND d.defaclnamespace = 0
                          AND d.defaclobjtype = k.t)
    UNION ALL
    SELECT 'api_sequences_no_update', r.name, 'api role may UPDATE (setval)'
      FROM rels r
     WHERE CASE WHEN r.relkind = 'S'  -- evaluated only for sequences, whatever the plan
                THEN has_sequence_privilege('solvereign_api', r.oid, 'UPDATE') END
    UNION ALL
    SELECT 'column_grants_audited', format('%s.%I', r.name, a.attname),
           pg_get_userbyid(x.grantee) || ' has column ' || x.privilege_type
      FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attacl IS NOT NULL,
           aclexplode(a.attacl) x
     WHERE x.grantee IN (0, 'solvereign_api'::regrole)
    UNION ALL
    SELECT 'definer_functions_owned_by_definer', p.oid::regprocedure::text,
           'owned by ' || pg_get_userbyid(p.proowner)
      FROM pg_proc p JOIN app_ns n ON n.oid = p.pronamespace
     WHERE p.prosecdef AND p.proowner <> 'solvereign_definer'::regrole
    UNION ALL
    SELECT 'definer_functions_search_path', p.oid::regprocedure::text,
           coalesce(array_to_string(p.proconfig, ' '), 'no search_path')
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND NOT EXISTS (
           SELECT 1 FROM unnest(p.proconfig) c
            WHERE c LIKE 'search_path=%'
              AND regexp_replace(c, '^search_path=', '') ~ '(^|,\s*)pg_temp\s*$'
              AND NOT EXISTS (
                  SELECT 1 FROM regexp_split_to_table(regexp_replace(c, '^search_path=', ''),
                                                      ',\s*') s
                   WHERE trim(both '"' from trim(s)) NOT IN
                         ('pg_catalog', 'core', 'roster', 'routing', 'pg_temp')))
    UNION ALL
    SELECT 'definer_functions_execute_allowlist', p.oid::regprocedure::text,
           'EXECUTE for ' || CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                                  ELSE pg_get_userbyid(a.grantee) END
      FROM pg_proc p JOIN app_ns n ON n.oid = p.pronamespace,
           aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
     WHERE p.prosecdef AND a.grantee <> p.proowner
       AND (a.grantee = 0 OR pg_get_userbyid(a.grantee)
            NOT IN ('solvereign_api', 'solvereign_platform'))
    UNION ALL
    SELECT 'definer_functions_schema_safe', p.oid::regprocedure::text,
           'schema ' || n.nspname || ' lets PUBLIC or the api role CREATE'
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND (has_schema_privilege('solvereign_api', n.oid, 'CREATE')
            OR EXISTS (SELECT 1 FROM aclexplode(n.nspacl) a
                        WHERE a.grantee = 0 AND a.privilege_type = 'CREATE'))
    UNION ALL
    SELECT 'views_security_invoker', name, 'view runs with its owner''s rights'
      FROM rels WHERE relkind = 'v'
       AND NOT coalesce(reloptions @> ARRAY['security_invoker=true']
                        OR reloptions @> ARRAY['security_invoker=on'], false)
    UNION ALL
    SELECT 'no_matview_or_foreign_table_for_api', name,
           CASE relkind WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END
           || ' readable by the api role (no RLS)'
      FROM rels WHERE relkind IN ('m', 'f')
       AND has_table_privilege('solvereign_api', oid, 'SELECT')
    UNION ALL
    SELECT 'tenant_id_not_null', t.name, 'tenant_id is nullable'
      FROM tenant_tables t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attname = 'tenant_id'
     WHERE NOT a.attnotnull
    UNION ALL
    SELECT 'tenant_keys_include_tenant_id', t.name || ' ' || co.conname,
           CASE co.contype WHEN 'f' THEN 'foreign key to ' || co.confrelid::regclass::text
                           WHEN 'p' THEN 'primary key' ELSE 'unique key' END
           || ' without tenant_id'
      FROM tenant_tables t JOIN pg_constraint co ON co.conrelid = t.oid
     WHERE co.contype IN ('p', 'u', 'f')
       AND NOT (co.contype = 'f' AND co.confrelid NOT IN (SELECT oid FROM tenant_tables))
       AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                        WHERE a.attrelid = t.oid AND a.attname = 'tenant_id'
                          AND a.attnum = ANY (co.conkey))
), names(check_name) AS (
    VALUES ('rls_enabled_and_forced'), ('tables_classified'), ('tenant_policies_bound'),
           ('no_permissive_bypass_policies'), ('no_policies_to_public'),
           ('no_leakproof_functions'), ('no_row_security_override'),
           ('app_roles_least_attributes'), ('app_roles_own_nothing'),
           ('app_roles_not_members_of_owners'), ('bypassrls_only_backup'),
           ('no_public_table_privileges'), ('no_public_sequence_privileges'),
           ('no_public_function_privileges'), ('no_public_schema_privileges'),
           ('no_public_database_temp'), ('api_no_truncate_references_trigger'),
           ('no_grant_options'), ('default_privileges_no_public'),
           ('api_sequences_no_update'), ('column_grants_audited'),
           ('definer_functions_owned_by_definer'), ('definer_functions_search_path'),
           ('definer_functions_execute_allowlist'), ('definer_functions_schema_safe'),
           ('views_security_invoker'), ('no_matview_or_foreign_table_for_api'),
           ('tenant_id_not_null'), ('tenant_keys_include_tenant_id')
)
SELECT n.check_name,
       CASE WHEN count(c.obj) = 0 THEN 'PASS' ELSE 'FAIL' END,
       CASE WHEN count(c.obj) = 0 THEN 'ok'
            ELSE count(c.obj) || ': ' || string_agg(c.obj || ' (' || c.why || ')', '; '
                                                    ORDER BY c.obj, c.why) END
  FROM names n LEFT JOIN checks c ON c.check_name = n.check_name
 GROUP BY n.check_name
 ORDER BY n.check_name
$fn$;

COMMENT ON FUNCTION public.verify_final_hardening() IS
    'the authoritative post-cutover security catalogue: one (check_name, status, details) per item';
