-- 025b_rls_role_lockdown: least privilege for the application roles.
--
-- Fixes W20 (api role holds ALL, incl. TRUNCATE/REFERENCES/TRIGGER, on tenant tables and
-- direct grants on the audit_log partitions and the materialized view), W21 (api role may
-- UPDATE/setval every sequence) and W22 (platform role holds SELECT WITH GRANT OPTION).
-- Everything is revoked, then exactly what the application uses is granted again; the
-- file is idempotent. Catalog-only.

SET LOCAL ROLE solvereign_owner;

-- W20: start from nothing (this also removes grants on partitions, views, matviews and
-- column grants), then grant the DML the application performs, table by table.
REVOKE ALL ON ALL TABLES IN SCHEMA core, roster, routing FROM solvereign_api;
GRANT SELECT ON core.tenants, core.sites TO solvereign_api;
GRANT SELECT, INSERT ON core.request_nonces, core.audit_log TO solvereign_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON
    roster.drivers, roster.shifts, roster.absences, roster.unavailability,
    roster.duty_history, roster.plans, roster.assignments,
    routing.vehicles, routing.routes, routing.route_stops
    TO solvereign_api;
GRANT SELECT ON roster.v_plan_assignments TO solvereign_api;

-- W21: sequences are used, never set: USAGE (nextval) only where a column default needs it;
-- identity columns need no sequence privilege at all.
REVOKE ALL ON ALL SEQUENCES IN SCHEMA core, roster, routing FROM solvereign_api;
GRANT USAGE ON SEQUENCE core.audit_log_id_seq TO solvereign_api;

-- W22: nobody passes privileges on without a migration.
REVOKE GRANT OPTION FOR ALL ON ALL TABLES IN SCHEMA core, roster, routing
    FROM solvereign_platform;
