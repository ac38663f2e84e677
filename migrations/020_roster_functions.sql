-- 020_roster_functions.sql — the weekly summary used by the dispatcher dashboard.
--
-- roster.tenant_week_summary(week_start): per driver of the current tenant, the number of
-- shifts, working minutes and driving minutes in the week's published plan. It is SECURITY
-- DEFINER so that dashboard connections need EXECUTE only, not SELECT on four tables. It
-- filters on app.tenant_id itself, so it returns nothing without a tenant context even
-- where the owner would bypass RLS.
--
-- WEAKNESS W13: SECURITY DEFINER without a fixed search_path (fix: 025a)
-- WEAKNESS W15: owned by solvereign_owner instead of solvereign_definer (fix: 025d)
-- WEAKNESS W16: EXECUTE left to PUBLIC (fix: 025f)

SET LOCAL ROLE solvereign_owner;

CREATE FUNCTION roster.tenant_week_summary(p_week_start date)
    RETURNS TABLE (driver_code text, site_code text, shifts integer,
                   work_minutes integer, drive_minutes integer)
    LANGUAGE sql
    STABLE
    SECURITY DEFINER
AS $fn$
    SELECT d.code,
           d.site_code,
           count(s.id)::integer,
           coalesce(sum(extract(epoch FROM s.ends_at - s.starts_at) / 60), 0)::integer,
           coalesce(sum(s.drive_minutes), 0)::integer
    FROM roster.drivers AS d
    LEFT JOIN roster.plans AS p
           ON p.tenant_id = d.tenant_id
          AND p.week_start = p_week_start
          AND p.status = 'published'
    LEFT JOIN roster.assignments AS a
           ON a.tenant_id = p.tenant_id
          AND a.plan_id = p.id
          AND a.driver_id = d.id
    LEFT JOIN roster.shifts AS s
           ON s.tenant_id = a.tenant_id
          AND s.id = a.shift_id
    WHERE d.tenant_id = current_setting('app.tenant_id', true)
    GROUP BY d.code, d.site_code
    ORDER BY d.code
$fn$;

COMMENT ON FUNCTION roster.tenant_week_summary(date) IS
    'per-driver totals of the published plan of the current tenant for the week starting p_week_start';
