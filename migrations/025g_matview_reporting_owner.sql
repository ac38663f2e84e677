-- 025g_matview_reporting_owner: the platform's materialized view keeps its rows under FORCE.
--
-- Follows up W05 and W12 (fixed by 025a): FORCE ROW LEVEL SECURITY on routing.routes and
-- routing.route_stops binds their owner too, and REFRESH MATERIALIZED VIEW runs the view's
-- query as the view's owner with no tenant set. routing.mv_route_daily, owned by
-- solvereign_owner, came out empty at its next refresh, and a restore of any dump taken
-- after 025a failed on it (pg_restore refreshes with row_security off, which turns "the
-- owner sees nothing" into an error).
--
-- The view now belongs to solvereign_reporting (NOLOGIN, NOBYPASSRLS, created by the cluster
-- bootstrap like every role, with solvereign_owner as its member so that the owner's jobs
-- can still refresh it). The reporting role reads the two base tables through role-bound
-- SELECT policies that hold only while it is itself the current user, which is what a
-- refresh is: the owner, the migrator, the api and the platform role see no more than
-- before, FORCE stays, and no role gains BYPASSRLS. A view emptied since 025a is refreshed
-- so that it is whole again. Safe to re-run; catalog-only apart from that refresh.

DO $role$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'solvereign_reporting') THEN
        RAISE EXCEPTION 'role solvereign_reporting is missing'
            USING HINT = 'the cluster bootstrap creates it: CREATE ROLE solvereign_reporting '
                         'NOLOGIN NOBYPASSRLS; GRANT solvereign_reporting TO solvereign_owner';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'solvereign_reporting'
                  AND (rolcanlogin OR rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb)) THEN
        RAISE EXCEPTION 'role solvereign_reporting must be NOLOGIN NOSUPERUSER NOBYPASSRLS '
                        'NOCREATEROLE NOCREATEDB';
    END IF;
    IF NOT pg_catalog.pg_has_role('solvereign_owner', 'solvereign_reporting', 'USAGE') THEN
        RAISE EXCEPTION 'solvereign_owner is not a member of solvereign_reporting'
            USING HINT = 'GRANT solvereign_reporting TO solvereign_owner (cluster bootstrap)';
    END IF;
END
$role$;

SET LOCAL ROLE solvereign_owner;

GRANT USAGE ON SCHEMA routing TO solvereign_reporting;
GRANT SELECT ON routing.routes, routing.route_stops TO solvereign_reporting;

DROP POLICY IF EXISTS reporting_read ON routing.routes;
CREATE POLICY reporting_read ON routing.routes AS PERMISSIVE FOR SELECT
    TO solvereign_reporting
    USING (current_user = 'solvereign_reporting');
DROP POLICY IF EXISTS reporting_read ON routing.route_stops;
CREATE POLICY reporting_read ON routing.route_stops AS PERMISSIVE FOR SELECT
    TO solvereign_reporting
    USING (current_user = 'solvereign_reporting');

-- A new owner needs CREATE on the schema for the hand-over only; it keeps none.
GRANT CREATE ON SCHEMA routing TO solvereign_reporting;
ALTER MATERIALIZED VIEW routing.mv_route_daily OWNER TO solvereign_reporting;
REVOKE CREATE ON SCHEMA routing FROM solvereign_reporting;

-- Refresh only a view that differs from its query as the reporting role sees it (one
-- emptied by a refresh since 025a): an intact view keeps its data file, and a re-run
-- changes nothing. A plain REFRESH: CONCURRENTLY needs TEMP, which 025f took away.
SET LOCAL ROLE solvereign_reporting;
DO $refresh$
DECLARE
    query text := rtrim(pg_catalog.pg_get_viewdef('routing.mv_route_daily'::regclass), E'; \n');
    stale boolean;
BEGIN
    IF NOT (SELECT relispopulated FROM pg_catalog.pg_class
             WHERE oid = 'routing.mv_route_daily'::regclass) THEN
        stale := true;
    ELSE
        EXECUTE format('SELECT EXISTS ((%s) EXCEPT ALL TABLE routing.mv_route_daily)'
                       ' OR EXISTS (TABLE routing.mv_route_daily EXCEPT ALL (%s))', query, query)
           INTO stale;
    END IF;
    IF stale THEN
        REFRESH MATERIALIZED VIEW routing.mv_route_daily;
    END IF;
END
$refresh$;
