-- The tenant's stored plan for a week (the published one, else the newest), in the §7.2
-- plan format; shifts of the week without an assignment are listed as uncovered.
WITH chosen AS (
    SELECT p.id, p.seed, p.instance_sha256
      FROM roster.plans p
     WHERE p.tenant_id = %(tenant)s AND p.week_start = %(week_start)s
     ORDER BY (p.status = 'published') DESC, p.created_at DESC, p.id DESC
     LIMIT 1
)
SELECT json_build_object(
    'tenant', %(tenant)s::text,
    'instance_sha256', c.instance_sha256,
    'seed', c.seed,
    'assignments', coalesce((
        SELECT json_agg(json_build_object('shift', s.code, 'driver', d.code) ORDER BY s.code)
          FROM roster.assignments a
          JOIN roster.shifts s ON s.tenant_id = a.tenant_id AND s.id = a.shift_id
          JOIN roster.drivers d ON d.tenant_id = a.tenant_id AND d.id = a.driver_id
         WHERE a.tenant_id = %(tenant)s AND a.plan_id = c.id), '[]'::json)
) AS plan, c.id AS plan_id
FROM chosen c
