-- Every setting preset for a runtime role (api, platform, backup: ALTER ROLE r [IN DATABASE
-- this] SET), for every role (ALTER ROLE ALL SET) or for this database (ALTER DATABASE SET)
-- is applied to each new session before the application runs a statement, so it must be on
-- the reviewed list of harmless settings: a preset app.tenant_id hands an unset session a
-- tenant, session_replication_role = replica turns off triggers and foreign-key checks, a
-- search_path decides which function or table a name resolves to. row_security is PM-016's.
-- Settings in other databases do not reach this one and are left out.
-- Parameter: harmless (text[]): lower-case names from checks/allowlist/runtime_privileges.toml.
-- Used with query parameters: keep this file free of percent signs.
WITH this AS (SELECT oid FROM pg_catalog.pg_database
               WHERE datname = pg_catalog.current_database()),
     preset AS (
    SELECT CASE WHEN s.setrole = 0 AND s.setdatabase = 0 THEN 'every role (ALTER ROLE ALL)'
                WHEN s.setrole = 0 THEN 'database ' || pg_catalog.quote_ident(d.datname)
                WHEN s.setdatabase = 0 THEN 'role ' || r.rolname
                ELSE 'role ' || r.rolname || ' in database ' || pg_catalog.quote_ident(d.datname)
           END AS object,
           pg_catalog.split_part(cfg, '=', 1) AS name,
           pg_catalog.substr(cfg, pg_catalog.strpos(cfg, '=') + 1) AS value
      FROM pg_catalog.pg_db_role_setting s
      LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
      LEFT JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
     CROSS JOIN LATERAL unnest(s.setconfig) AS cfg
     WHERE s.setdatabase IN (0, (SELECT oid FROM this))
       AND (s.setrole = 0
            OR r.rolname IN ('solvereign_api', 'solvereign_platform', 'solvereign_backup')))
SELECT object,
       name || '=' || value || ': '
       || CASE WHEN pg_catalog.lower(name) = 'app.tenant_id'
                    THEN 'presets a tenant for every session that never sets one'
               WHEN pg_catalog.lower(pg_catalog.left(name, 4)) = 'app.'
                    THEN 'presets a custom setting a policy or the application may trust'
               WHEN pg_catalog.lower(name) = 'session_replication_role'
                    THEN 'replica/local turns off triggers and foreign-key checks'
               WHEN pg_catalog.lower(name) = 'search_path'
                    THEN 'decides which schema an unqualified name resolves to'
               WHEN pg_catalog.lower(name) IN ('role', 'session_authorization')
                    THEN 'every session starts as another role'
               WHEN pg_catalog.strpos(name, '.') > 0
                    THEN 'presets an extension or custom setting'
               ELSE 'not on the reviewed list of harmless settings' END AS detail
  FROM preset
 WHERE pg_catalog.lower(name) <> 'row_security'
   AND pg_catalog.lower(name) <> ALL (%(harmless)s::text[])
 ORDER BY 1, 2
