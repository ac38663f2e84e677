-- 023_application_grants.sql — what each login role may do with the tables.
--
-- solvereign_api       the application: reads and writes tenant data under RLS; reads its
--                      tenant row; sees platform users only as names (column grant, no
--                      password_hash); security events only through core.log_security_event
-- solvereign_platform  reads everything, administers tenants, users, sites and API keys
-- solvereign_backup    SELECT on every table and sequence, for pg_dump (bypasses RLS)
-- solvereign_definer   exactly what the definer functions of 019/020 read and write
--
-- Identity columns need no sequence privilege; only core.audit_log's explicit sequence
-- does (USAGE for nextval through the column default).
--
-- WEAKNESS W20: the api role has ALL privileges on the roster and routing tables and on
--   the tenant tables of core, which includes TRUNCATE, REFERENCES and TRIGGER: TRUNCATE
--   ignores RLS and empties every tenant at once; REFERENCES lets it build foreign keys
--   that probe other tenants' keys; TRIGGER lets it attach triggers (fix: 025b)
-- WEAKNESS W21: the api role has ALL on every sequence of core, roster and routing,
--   including UPDATE (setval): it can rewind a sequence and make inserts of other tenants
--   collide (fix: 025b)
-- WEAKNESS W22: the platform role holds SELECT on the roster tables WITH GRANT OPTION
--   (meant for handing reports to BI roles): it can pass read access on to any role
--   without a migration (fix: 025b)
-- WEAKNESS W07: the grants below include the audit_log partitions directly (the nightly
--   export read the current partition), and the partitions have no RLS (fix: 025a)

SET LOCAL ROLE solvereign_owner;

-- the application
GRANT ALL ON ALL TABLES IN SCHEMA roster, routing TO solvereign_api;
GRANT ALL ON core.sites, core.api_keys, core.request_nonces,
             core.audit_log, core.audit_log_2025, core.audit_log_2026, core.audit_log_default
    TO solvereign_api;
GRANT SELECT ON core.tenants TO solvereign_api;
GRANT SELECT (id, email, display_name) ON core.users TO solvereign_api;
GRANT ALL ON ALL SEQUENCES IN SCHEMA core, roster, routing TO solvereign_api;
GRANT EXECUTE ON FUNCTION core.resolve_api_key(text),
                          core.log_security_event(text, text, text, jsonb),
                          roster.tenant_week_summary(date)
    TO solvereign_api;

-- platform administration
GRANT SELECT ON ALL TABLES IN SCHEMA core, routing TO solvereign_platform;
GRANT SELECT ON ALL TABLES IN SCHEMA roster TO solvereign_platform WITH GRANT OPTION;
GRANT INSERT, UPDATE ON core.tenants, core.users, core.sites, core.api_keys TO solvereign_platform;
GRANT EXECUTE ON FUNCTION core.log_security_event(text, text, text, jsonb) TO solvereign_platform;

-- backups: pg_dump reads every table and the state of every sequence
GRANT SELECT ON ALL TABLES IN SCHEMA core, roster, routing TO solvereign_backup;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA core, roster, routing TO solvereign_backup;

-- the definer role: the tables its functions touch, nothing more
GRANT SELECT ON core.tenants, core.api_keys TO solvereign_definer;
GRANT INSERT ON core.security_events TO solvereign_definer;
GRANT SELECT ON roster.drivers, roster.shifts, roster.plans, roster.assignments TO solvereign_definer;
