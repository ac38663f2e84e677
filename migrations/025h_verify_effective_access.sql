-- 025h_verify_effective_access: verify_final_hardening() judges effective access, not names.
--
-- Follows up issue 19: the function of 025e judged the security catalogue over a fixed
-- list of schemas (core, roster, routing), trusted a table's GLOBAL: comment and matched
-- roles by name, so the weaknesses it was written for (W03..W22: RLS, PUBLIC grants, definer
-- functions, memberships) could come back in a new schema, on a table relabelled GLOBAL or
-- through a group, and the function still said PASS. Redefined here with the same signature,
-- columns, SECURITY INVOKER, fixed search_path and owner; every row of 025e keeps its name
-- and now judges the property as the gate does (checks/p3_postmigration, PM-070 holds each
-- row to its gate check):
--   * every schema that is not PostgreSQL's own is an application schema;
--   * a table with tenant_id is a tenant table whatever its comment, unless it is on the
--     reviewed list below (equal to checks/allowlist/global_tables.toml; a test holds them
--     equal: the database cannot read the repository);
--   * policies and privileges apply to the roles' members (pg_has_role), membership in a
--     SUPERUSER/BYPASSRLS/... role counts as the attribute, and a policy that reads any
--     setting but app.tenant_id (in its expression or a function it calls) is a bypass.
-- New rows: schemas_reviewed (PM-002, list equal to checks/allowlist/schemas.toml),
-- runtime_roles_no_memberships (PM-024), no_preset_settings (PM-017, harmless list equal to
-- runtime_privileges.toml), no_parameter_privileges (PM-018: pg_parameter_acl, PostgreSQL
-- 15+, which the series needs already for security_invoker), no_event_triggers (PM-044),
-- no_rules_on_tables (PM-045), tenant_triggers_invoker (PM-046).
-- Catalog-only and read-only; safe to re-run (CREATE OR REPLACE keeps owner and ACL).

SET LOCAL ROLE solvereign_owner;

CREATE OR REPLACE FUNCTION public.verify_final_hardening()
    RETURNS TABLE (check_name text, status text, details text)
    LANGUAGE sql
    STABLE
    SET search_path = pg_catalog, pg_temp
AS $fn$
WITH app_ns AS (
    -- every schema that is not PostgreSQL's own
    SELECT oid, nspname, nspowner, nspacl FROM pg_namespace
     WHERE nspname NOT IN ('pg_catalog', 'information_schema')
       AND nspname !~ '^pg_(toast|temp_[0-9]+|toast_temp_[0-9]+)$'
), reviewed_schemas(name) AS (
    VALUES ('core'), ('meta'), ('public'), ('roster'), ('routing')
), reviewed_globals(name) AS (
    VALUES ('core.security_events'), ('meta.migration_ledger')
), harmless_settings(name) AS (
    VALUES ('application_name'), ('client_encoding'), ('datestyle'),
           ('default_transaction_isolation'), ('extra_float_digits'),
           ('idle_in_transaction_session_timeout'), ('idle_session_timeout'),
           ('intervalstyle'), ('lc_messages'), ('lc_monetary'), ('lc_numeric'), ('lc_time'),
           ('lock_timeout'), ('maintenance_work_mem'), ('statement_timeout'), ('timezone'),
           ('work_mem')
), reviewed_event_triggers(name) AS (
    SELECT unnest(ARRAY[]::text[])
), runtime AS (
    SELECT oid, rolname FROM pg_roles WHERE rolname IN ('solvereign_api', 'solvereign_platform')
), rels AS (
    SELECT c.oid, c.relname, c.relkind, c.relowner, c.relacl, c.relrowsecurity,
           c.relforcerowsecurity, c.reloptions, n.nspname,
           format('%I.%I', n.nspname, c.relname) AS name,
           coalesce(obj_description(c.oid, 'pg_class'), '') AS note,
           EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                      AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS has_tenant_id
      FROM pg_class c JOIN app_ns n ON n.oid = c.relnamespace
), tenant_tables AS (
    -- a table with a tenant key is a tenant table, whatever its comment says
    SELECT r.* FROM rels r
     WHERE r.relkind IN ('r', 'p') AND r.has_tenant_id
       AND r.name NOT IN (SELECT name FROM reviewed_globals)
), rls_tables AS (
    SELECT * FROM tenant_tables
    UNION SELECT r.* FROM rels r WHERE r.name = 'core.tenants'
), pol AS (
    SELECT p.*, r.name AS tname,
           pg_get_expr(p.polqual, p.polrelid) AS qual,
           pg_get_expr(p.polwithcheck, p.polrelid) AS wcheck,
           EXISTS (SELECT 1 FROM unnest(p.polroles) pr
                    WHERE pr = 0 OR pg_has_role('solvereign_api', pr, 'MEMBER')) AS for_api
      FROM pg_policy p JOIN rels r ON r.oid = p.polrelid
), pol_texts AS (
    SELECT pol.oid, pol.tname || ' policy ' || pol.polname AS obj,
           coalesce(pol.qual, '') || ' ' || coalesce(pol.wcheck, '') AS body,
           'its expression' AS place
      FROM pol
    UNION ALL
    SELECT pol.oid, pol.tname || ' policy ' || pol.polname, f.prosrc,
           'function ' || f.oid::regprocedure::text
      FROM pol JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = pol.oid
                               AND d.refclassid = 'pg_proc'::regclass
      JOIN pg_proc f ON f.oid = d.refobjid
      JOIN pg_namespace fn ON fn.oid = f.pronamespace
     WHERE fn.nspname NOT IN ('pg_catalog', 'information_schema')
), pol_settings AS (
    SELECT t.obj, t.place, lower(m[1]) AS setting
      FROM pol_texts t CROSS JOIN LATERAL regexp_matches(t.body,
               'current_setting\s*\(\s*''([^'']*)''', 'gi') AS m
    UNION ALL
    SELECT t.obj, t.place, '(a computed name)'
      FROM pol_texts t WHERE t.body ~* 'current_setting\s*\(\s*[^''\s]'
    UNION ALL
    SELECT t.obj, t.place, '(pg_settings)'
      FROM pol_texts t WHERE t.body ~* '\mpg_settings\M'
), tenant_expr AS (
    SELECT '(tenant_id = current_setting(''app.tenant_id''::text, true))' AS e
), definers AS (
    SELECT p.oid, p.oid::regprocedure::text AS fn, p.pronamespace, p.proconfig, p.prosrc,
           p.proowner, p.proacl
      FROM pg_proc p JOIN app_ns n ON n.oid = p.pronamespace
     WHERE p.prosecdef
), definer_path AS (
    SELECT f.oid, CASE WHEN e = '$user' THEN pg_get_userbyid(f.proowner)::text ELSE e END
           AS nspname
      FROM definers f CROSS JOIN LATERAL unnest(f.proconfig) c
           CROSS JOIN LATERAL regexp_split_to_table(substr(c, 13), ',') s
           CROSS JOIN LATERAL btrim(btrim(s), '"') e
     WHERE c LIKE 'search_path=%' AND e NOT IN ('pg_temp', 'pg_catalog', '')
), definer_uses AS (
    SELECT f.oid, f.pronamespace AS nsp, 'own schema' AS how FROM definers f
    UNION
    SELECT p.oid, n.oid, 'search_path'
      FROM definer_path p JOIN pg_namespace n ON n.nspname = p.nspname
    UNION
    SELECT f.oid, n.oid, 'referenced in the body'
      FROM definers f JOIN app_ns n
        ON f.prosrc ~* ('(^|[^a-z0-9_$."])"?'
                        || regexp_replace(n.nspname, '([^a-zA-Z0-9_])', '\\\1', 'g') || '"?\s*\.')
    UNION
    SELECT f.oid, obj.relnamespace, 'referenced in the body'
      FROM definers f JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = f.oid
             AND d.refclassid = 'pg_class'::regclass
      JOIN pg_class obj ON obj.oid = d.refobjid
    UNION
    SELECT f.oid, obj.pronamespace, 'referenced in the body'
      FROM definers f JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = f.oid
             AND d.refclassid = 'pg_proc'::regclass
      JOIN pg_proc obj ON obj.oid = d.refobjid
), role_settings AS (
    SELECT CASE WHEN s.setrole = 0 AND s.setdatabase = 0 THEN 'every role (ALTER ROLE ALL)'
                WHEN s.setrole = 0 THEN 'database ' || quote_ident(d.datname)
                WHEN s.setdatabase = 0 THEN 'role ' || r.rolname
                ELSE 'role ' || r.rolname || ' in database ' || quote_ident(d.datname)
           END AS obj,
           r.rolname, s.setrole, s.setdatabase, cfg,
           lower(split_part(cfg, '=', 1)) AS name
      FROM pg_db_role_setting s
      LEFT JOIN pg_roles r ON r.oid = s.setrole
      LEFT JOIN pg_database d ON d.oid = s.setdatabase
     CROSS JOIN LATERAL unnest(s.setconfig) AS cfg
), parameter_grants AS (
    -- pg_parameter_acl exists from PostgreSQL 15 on, as does security_invoker (025e): the
    -- series needs 15+ anyway
    SELECT p.parname::text AS obj,
           CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END
           || ' has ' || x.privilege_type AS why
      FROM pg_parameter_acl p CROSS JOIN LATERAL aclexplode(p.paracl) x
     WHERE x.grantee = 0
        OR EXISTS (SELECT 1 FROM pg_roles r
                    WHERE r.rolname IN ('solvereign_api', 'solvereign_platform',
                                        'solvereign_backup')
                      AND pg_has_role(r.oid, x.grantee, 'MEMBER'))
), checks AS (
    SELECT 'rls_enabled_and_forced' AS check_name, name AS obj,
           'RLS ' || CASE WHEN relrowsecurity THEN 'enabled' ELSE 'disabled' END
           || ', ' || CASE WHEN relforcerowsecurity THEN 'forced' ELSE 'not forced' END AS why
      FROM rls_tables WHERE NOT (relrowsecurity AND relforcerowsecurity)
    UNION ALL
    SELECT 'tables_classified', r.name,
           CASE WHEN NOT r.has_tenant_id THEN 'no tenant_id and not classified GLOBAL'
                WHEN r.name NOT IN (SELECT name FROM reviewed_globals)
                     THEN 'has tenant_id but is labelled GLOBAL: a tenant table whatever its comment'
                ELSE 'reviewed global table with tenant_id is reachable by solvereign_api or PUBLIC'
           END
      FROM rels r
     WHERE r.relkind IN ('r', 'p')
       AND CASE WHEN r.name IN (SELECT name FROM reviewed_globals)
                THEN r.has_tenant_id
                     AND (has_table_privilege('solvereign_api', r.oid,
                              'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                          OR has_any_column_privilege('solvereign_api', r.oid,
                              'SELECT, INSERT, UPDATE, REFERENCES')
                          OR has_table_privilege('public', r.oid,
                              'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                          OR has_any_column_privilege('public', r.oid,
                              'SELECT, INSERT, UPDATE, REFERENCES'))
                WHEN r.has_tenant_id THEN r.note LIKE 'GLOBAL: %'
                ELSE r.note NOT LIKE 'GLOBAL: %' END
    UNION ALL
    SELECT 'tenant_policies_bound', t.name, 'no policy applies to the api role'
      FROM tenant_tables t
     WHERE NOT EXISTS (SELECT 1 FROM pol WHERE pol.polrelid = t.oid AND pol.for_api)
    UNION ALL
    SELECT 'tenant_policies_bound', pol.tname || ' policy ' || pol.polname,
           'USING ' || coalesce(pol.qual, '-') || ' WITH CHECK ' || coalesce(pol.wcheck, '-')
           || coalesce(' (TO ' || (SELECT string_agg(pg_get_userbyid(pr), ', ' ORDER BY 1)
                                     FROM unnest(pol.polroles) pr
                                    WHERE pr <> 0 AND pr <> 'solvereign_api'::regrole)
                       || ': the api role is a member)', '')
      FROM pol JOIN tenant_tables t ON t.oid = pol.polrelid
     WHERE pol.polpermissive AND pol.for_api
       AND (coalesce(pol.qual, '') <> (SELECT e FROM tenant_expr) AND pol.polcmd <> 'a'
            OR coalesce(pol.wcheck, pol.qual, '') <> (SELECT e FROM tenant_expr)
               AND pol.polcmd IN ('*', 'a', 'w'))
    UNION ALL
    SELECT 'no_permissive_bypass_policies', tname || ' policy ' || polname,
           coalesce(qual, '-') || ' / ' || coalesce(wcheck, '-')
      FROM pol
     WHERE qual ~* '^\(?\s*true\s*\)?$' OR wcheck ~* '^\(?\s*true\s*\)?$'
        OR qual ~* 'IS NULL\)?\s+OR\s' OR wcheck ~* 'IS NULL\)?\s+OR\s'
    UNION ALL
    SELECT DISTINCT 'no_permissive_bypass_policies', obj,
           'reads setting ' || setting || ' in ' || place
           || ' (a switch the session can flip: only app.tenant_id may decide a row)'
      FROM pol_settings WHERE setting <> 'app.tenant_id'
    UNION ALL
    SELECT 'no_policies_to_public', tname || ' policy ' || polname, 'applies to PUBLIC'
      FROM pol WHERE 0 = ANY (polroles)
    UNION ALL
    SELECT 'no_leakproof_functions', p.oid::regprocedure::text, 'LEAKPROOF'
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.proleakproof AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL
    SELECT 'no_row_security_override',
           CASE WHEN s.setrole = 0 THEN s.obj ELSE s.rolname END, s.cfg
      FROM role_settings s
     WHERE (s.rolname LIKE 'solvereign%'
            OR s.setrole = 0 AND s.setdatabase IN (0, (SELECT oid FROM pg_database
                                                        WHERE datname = current_database())))
       AND s.cfg ~* '^row_security=(of|off|f|fa|fal|fals|false|n|no|0)$'
    UNION ALL
    SELECT 'no_preset_settings', s.obj, s.cfg || ' (not on the reviewed list of harmless settings)'
      FROM role_settings s
     WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
       AND (s.setrole = 0
            OR s.rolname IN ('solvereign_api', 'solvereign_platform', 'solvereign_backup'))
       AND s.name <> 'row_security'
       AND s.name NOT IN (SELECT name FROM harmless_settings)
    UNION ALL
    SELECT 'no_parameter_privileges', obj, why FROM parameter_grants
    UNION ALL
    SELECT 'app_roles_least_attributes', a.rolname,
           concat_ws(' ', CASE WHEN g.rolsuper THEN 'SUPERUSER' END,
                          CASE WHEN g.rolbypassrls THEN 'BYPASSRLS' END,
                          CASE WHEN g.rolcreaterole THEN 'CREATEROLE' END,
                          CASE WHEN g.rolcreatedb THEN 'CREATEDB' END,
                          CASE WHEN g.rolreplication THEN 'REPLICATION' END)
           || CASE WHEN g.oid <> a.oid THEN ' through SET ROLE ' || g.rolname ELSE '' END
      FROM runtime a JOIN pg_roles g ON pg_has_role(a.oid, g.oid, 'MEMBER')
     WHERE g.rolsuper OR g.rolbypassrls OR g.rolcreaterole OR g.rolcreatedb OR g.rolreplication
    UNION ALL
    SELECT 'runtime_roles_no_memberships', a.rolname,
           'member of ' || g.rolname
           || CASE WHEN g.rolsuper THEN ' (SUPERUSER through SET ROLE)'
                   WHEN g.rolbypassrls THEN ' (BYPASSRLS through SET ROLE)'
                   WHEN left(g.rolname, 3) = 'pg_' THEN ' (predefined role)' ELSE '' END
      FROM runtime a JOIN pg_roles g ON g.oid <> a.oid AND pg_has_role(a.oid, g.oid, 'MEMBER')
    UNION ALL
    SELECT 'app_roles_own_nothing', a.rolname || ': ' || x.obj,
           'owned by ' || pg_get_userbyid(x.owner)
      FROM (SELECT name AS obj, relowner AS owner FROM rels
            UNION ALL SELECT p.oid::regprocedure::text, p.proowner FROM pg_proc p
              JOIN app_ns n ON n.oid = p.pronamespace
            UNION ALL SELECT 'schema ' || quote_ident(nspname), nspowner FROM app_ns
            UNION ALL SELECT 'database ' || quote_ident(datname), datdba FROM pg_database
             WHERE datname = current_database()
            UNION ALL SELECT DISTINCT 'large objects owned by ' || pg_get_userbyid(lomowner),
                             lomowner FROM pg_largeobject_metadata) x
      JOIN runtime a ON pg_has_role(a.oid, x.owner, 'MEMBER')
    UNION ALL
    SELECT 'app_roles_not_members_of_owners', a.rolname,
           'member of ' || string_agg(g.rolname, ', ' ORDER BY g.rolname)
      FROM runtime a JOIN pg_roles g
        ON g.rolname IN ('solvereign_owner', 'solvereign_definer', 'solvereign_migrator')
       AND pg_has_role(a.oid, g.oid, 'MEMBER')
     GROUP BY a.rolname
    UNION ALL
    SELECT 'bypassrls_only_backup', rolname, 'BYPASSRLS'
      FROM pg_roles WHERE rolbypassrls AND NOT rolsuper AND rolname <> 'solvereign_backup'
    UNION ALL
    SELECT 'bypassrls_only_backup', m.rolname, 'BYPASSRLS through membership in ' || b.rolname
      FROM pg_roles b JOIN pg_roles m
        ON m.oid <> b.oid AND NOT m.rolsuper AND pg_has_role(m.oid, b.oid, 'MEMBER')
     WHERE b.rolbypassrls AND NOT b.rolsuper
    UNION ALL
    SELECT 'no_public_table_privileges', r.name,
           'PUBLIC has ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM rels r, aclexplode(r.relacl) a
     WHERE a.grantee = 0 AND r.relkind IN ('r', 'p', 'v', 'm', 'f')
     GROUP BY r.name
    UNION ALL
    SELECT 'no_public_sequence_privileges', r.name,
           'PUBLIC has ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM rels r, aclexplode(r.relacl) a
     WHERE a.grantee = 0 AND r.relkind = 'S'
     GROUP BY r.name
    UNION ALL
    SELECT 'no_public_function_privileges', p.oid::regprocedure::text,
           CASE WHEN p.proacl IS NULL THEN 'default ACL: PUBLIC may EXECUTE'
                ELSE 'PUBLIC may EXECUTE' END
      FROM pg_proc p JOIN app_ns n ON n.oid = p.pronamespace
     WHERE p.proacl IS NULL
        OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0)
    UNION ALL
    SELECT 'no_public_schema_privileges', n.nspname,
           'PUBLIC has ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM app_ns n, aclexplode(n.nspacl) a
     WHERE a.grantee = 0
     GROUP BY n.nspname
    UNION ALL
    SELECT 'schemas_reviewed', n.nspname,
           'not on the reviewed list (owner ' || pg_get_userbyid(n.nspowner) || ')'
      FROM app_ns n WHERE n.nspname NOT IN (SELECT name FROM reviewed_schemas)
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
    SELECT 'no_public_database_temp', d.datname,
           r.rolname || ' has '
           || concat_ws(', ', CASE WHEN has_database_privilege(r.oid, d.oid, 'CREATE')
                                   THEN 'CREATE' END,
                              CASE WHEN has_database_privilege(r.oid, d.oid, 'TEMPORARY')
                                   THEN 'TEMPORARY' END)
      FROM pg_database d CROSS JOIN runtime r
     WHERE d.datname = current_database() AND d.datacl IS NOT NULL
       AND (has_database_privilege(r.oid, d.oid, 'CREATE')
            OR has_database_privilege(r.oid, d.oid, 'TEMPORARY'))
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
      FROM (SELECT r.name AS obj, a.grantee, a.privilege_type AS priv,
                   a.is_grantable, r.relowner AS owner
              FROM rels r, aclexplode(r.relacl) a
            UNION ALL
            SELECT p.oid::regprocedure::text, a.grantee, a.privilege_type,
                   a.is_grantable, p.proowner
              FROM pg_proc p JOIN app_ns n ON n.oid = p.pronamespace, aclexplode(p.proacl) a
            UNION ALL
            SELECT 'schema ' || n.nspname, a.grantee, a.privilege_type, a.is_grantable,
                   n.nspowner
              FROM app_ns n, aclexplode(n.nspacl) a) x
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
           CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END
           || ' has column ' || x.privilege_type
           || CASE WHEN x.grantee NOT IN (0, 'solvereign_api'::regrole)
                   THEN ' (the api role is a member)' ELSE '' END
      FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attacl IS NOT NULL,
           aclexplode(a.attacl) x
     WHERE x.grantee = 0 OR pg_has_role('solvereign_api', x.grantee, 'MEMBER')
    UNION ALL
    SELECT 'definer_functions_owned_by_definer', p.oid::regprocedure::text,
           'owned by ' || pg_get_userbyid(p.proowner)
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND p.proowner <> 'solvereign_definer'::regrole
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
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
           aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
     WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND a.grantee <> p.proowner
       AND (a.grantee = 0 OR pg_get_userbyid(a.grantee)
            NOT IN ('solvereign_api', 'solvereign_platform'))
    UNION ALL
    SELECT 'definer_functions_schema_safe', f.fn,
           'schema ' || n.nspname || ' (' || u.how || ') lets '
           || CASE WHEN w.who = 'public' THEN 'PUBLIC' ELSE w.who END || ' CREATE'
      FROM definer_uses u JOIN definers f ON f.oid = u.oid
      JOIN pg_namespace n ON n.oid = u.nsp
     CROSS JOIN (VALUES ('public'), ('solvereign_api'), ('solvereign_platform')) w(who)
     WHERE has_schema_privilege(w.who, u.nsp, 'CREATE')
    UNION ALL
    SELECT 'definer_functions_schema_safe', f.fn,
           'search_path names ' || quote_ident(p.nspname) || ', which is not a schema'
      FROM definer_path p JOIN definers f ON f.oid = p.oid
     WHERE p.nspname NOT IN (SELECT nspname FROM pg_namespace)
       AND p.nspname <> pg_get_userbyid(f.proowner)
    UNION ALL
    SELECT 'no_event_triggers', e.evtname,
           'on ' || e.evtevent || ' runs ' || e.evtfoid::regprocedure::text
      FROM pg_event_trigger e
     WHERE e.evtname NOT IN (SELECT name FROM reviewed_event_triggers)
    UNION ALL
    SELECT 'no_rules_on_tables', r.name || ' rule ' || w.rulename,
           CASE WHEN r.oid IN (SELECT oid FROM tenant_tables) THEN 'on a tenant table'
                WHEN r.relkind IN ('v', 'm') THEN 'on a view' ELSE 'on a table' END
           || ', runs as ' || pg_get_userbyid(r.relowner)
      FROM pg_rewrite w JOIN rels r ON r.oid = w.ev_class
     WHERE NOT (r.relkind IN ('v', 'm') AND w.rulename = '_RETURN')
    UNION ALL
    SELECT 'tenant_triggers_invoker', t.name || ' trigger ' || tg.tgname,
           'runs SECURITY DEFINER ' || p.oid::regprocedure::text
      FROM rls_tables t
      JOIN pg_trigger tg ON tg.tgrelid = t.oid AND NOT tg.tgisinternal
      JOIN pg_proc p ON p.oid = tg.tgfoid
     WHERE p.prosecdef
    UNION ALL
    SELECT 'views_security_invoker', name, 'view runs with its owner''s rights'
      FROM rels WHERE relkind = 'v'
       AND NOT EXISTS (SELECT 1 FROM unnest(reloptions) o
                        WHERE o IN ('security_invoker=true', 'security_invoker=on',
                                    'security_invoker=1'))
    UNION ALL
    SELECT 'no_matview_or_foreign_table_for_api', format('%I.%I', n.nspname, c.relname),
           CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END
           || ' readable by the api role (no RLS)'
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('m', 'f')
       AND has_table_privilege('solvereign_api', c.oid, 'SELECT')
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
           ('tenant_id_not_null'), ('tenant_keys_include_tenant_id'),
           ('schemas_reviewed'), ('runtime_roles_no_memberships'), ('no_preset_settings'),
           ('no_parameter_privileges'), ('no_event_triggers'), ('no_rules_on_tables'),
           ('tenant_triggers_invoker')
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
    'the authoritative post-cutover security catalogue: one (check_name, status, details) per item, over every application schema and by effective membership (025h)';
