-- 016_routing_default_privileges.sql — default privileges of the owner in schema routing.
--
-- The routing team's dashboards connected with their own ad-hoc roles, and instead of
-- granting each new table they set a default: every table (and view, and materialized
-- view) the owner creates in routing from now on is readable by PUBLIC. Default privileges
-- apply per creating role and only to objects created after this statement, which is why
-- this file runs before the routing tables exist: 017, 018 and 021 inherit it.
--
-- WEAKNESS W09: ALTER DEFAULT PRIVILEGES FOR ROLE solvereign_owner IN SCHEMA routing
--   GRANT SELECT ON TABLES TO PUBLIC: routing.vehicles, routing.routes, routing.route_stops
--   and routing.mv_route_daily are readable by every role, and so will be any table a later
--   migration creates there (fix: 025f)

SET LOCAL ROLE solvereign_owner;

ALTER DEFAULT PRIVILEGES FOR ROLE solvereign_owner IN SCHEMA routing
    GRANT SELECT ON TABLES TO PUBLIC;
