-- 021_reporting_views.sql — read models for dashboards.
--
-- roster.v_plan_assignments: the assignments of every plan with the plan's week and status,
--   the shape the dispatcher dashboard lists.
-- routing.mv_route_daily: routes, stops and planned minutes per tenant, site and day;
--   materialized because the aggregate over route_stops was slow, refreshed by a job (and by
--   the seed loader) as the owner. The unique index allows REFRESH ... CONCURRENTLY.
--
-- WEAKNESS W17: roster.v_plan_assignments is a view without security_invoker: it runs with
--   the rights of its owner, who is not subject to the (not forced, W05) policies of
--   roster.plans and roster.assignments, so any role allowed to SELECT from the view sees
--   every tenant's assignments (fix: 025e)
-- WEAKNESS W18: SELECT on the materialized view routing.mv_route_daily is granted to the
--   api role; a materialized view has no row-level security at all, so every tenant's route
--   statistics are visible (also readable by PUBLIC through W09) (fix: 025e)

SET LOCAL ROLE solvereign_owner;

CREATE VIEW roster.v_plan_assignments AS
SELECT a.tenant_id,
       p.id         AS plan_id,
       p.week_start,
       p.status     AS plan_status,
       a.shift_id,
       a.driver_id
FROM roster.assignments AS a
JOIN roster.plans AS p
  ON p.tenant_id = a.tenant_id
 AND p.id = a.plan_id;

CREATE MATERIALIZED VIEW routing.mv_route_daily AS
SELECT r.tenant_id,
       r.site_code,
       r.service_date,
       count(*)::integer                                                   AS routes,
       sum(coalesce(st.stops, 0))::integer                                 AS stops,
       sum(extract(epoch FROM r.planned_end - r.planned_start) / 60)::integer AS planned_minutes
FROM routing.routes AS r
LEFT JOIN (SELECT tenant_id, route_id, count(*) AS stops
           FROM routing.route_stops
           GROUP BY tenant_id, route_id) AS st
       ON st.tenant_id = r.tenant_id
      AND st.route_id = r.id
GROUP BY r.tenant_id, r.site_code, r.service_date
WITH DATA;

CREATE UNIQUE INDEX mv_route_daily_key ON routing.mv_route_daily (tenant_id, site_code, service_date);

GRANT SELECT ON routing.mv_route_daily TO solvereign_api;
