-- One tenant's week as the interchange instance of docs/artifacts.md, built in one read-only
-- query under the tenant's RLS context (app.tenant_id is set by the caller's transaction).
-- Times are rendered with their offset in the session time zone, which the caller sets
-- to the tenant's (to_char of a timestamptz uses the session's TimeZone).
WITH params AS (
    SELECT %(tenant)s::text AS tenant, %(week_start)s::date AS week_start,
           %(timezone)s::text AS tz
), bounds AS (
    SELECT tenant, week_start, tz,
           (week_start::timestamp AT TIME ZONE tz) AS lo,
           ((week_start + 7)::timestamp AT TIME ZONE tz) AS hi,
           ((week_start - 7)::timestamp AT TIME ZONE tz) AS history_lo
      FROM params
), fmt AS (
    SELECT b.*, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM' AS pattern FROM bounds b
)
SELECT json_build_object(
    'tenant', f.tenant,
    'week_start', to_char(f.week_start, 'YYYY-MM-DD'),
    'timezone', f.tz,
    'drivers', coalesce((
        SELECT json_agg(json_build_object(
                   'id', d.code, 'site', d.site_code,
                   'qualifications', to_json(d.qualifications),
                   'contract_minutes_week', d.contract_minutes_week,
                   'unavailable', coalesce((
                       SELECT json_agg(json_build_object(
                                  'start', to_char(u.starts_at, f.pattern),
                                  'end', to_char(u.ends_at, f.pattern))
                              ORDER BY u.starts_at, u.id)
                         FROM roster.unavailability u
                        WHERE u.tenant_id = d.tenant_id AND u.driver_id = d.id
                          AND u.ends_at > f.lo AND u.starts_at < f.hi), '[]'::json))
               ORDER BY d.code)
          FROM roster.drivers d
         WHERE d.tenant_id = f.tenant AND d.is_active), '[]'::json),
    'shifts', coalesce((
        SELECT json_agg(json_build_object(
                   'id', s.code, 'site', s.site_code, 'qualification', s.qualification,
                   'start', to_char(s.starts_at, f.pattern),
                   'end', to_char(s.ends_at, f.pattern),
                   'drive_minutes', s.drive_minutes, 'breaks', s.breaks)
               ORDER BY s.code)
          FROM roster.shifts s
         WHERE s.tenant_id = f.tenant AND s.starts_at >= f.lo AND s.starts_at < f.hi),
        '[]'::json),
    'absences', coalesce((
        SELECT json_agg(json_build_object(
                   'driver', d.code,
                   'start', to_char(a.starts_at, f.pattern),
                   'end', to_char(a.ends_at, f.pattern),
                   'reason', a.reason)
               ORDER BY d.code, a.starts_at)
          FROM roster.absences a
          JOIN roster.drivers d ON d.tenant_id = a.tenant_id AND d.id = a.driver_id
         WHERE a.tenant_id = f.tenant AND a.ends_at > f.lo AND a.starts_at < f.hi),
        '[]'::json),
    'history', coalesce((
        SELECT json_agg(json_build_object(
                   'driver', d.code,
                   'start', to_char(h.starts_at, f.pattern),
                   'end', to_char(h.ends_at, f.pattern),
                   'drive_minutes', h.drive_minutes)
               ORDER BY d.code, h.starts_at)
          FROM roster.duty_history h
          JOIN roster.drivers d ON d.tenant_id = h.tenant_id AND d.id = h.driver_id
         WHERE h.tenant_id = f.tenant AND h.starts_at >= f.history_lo AND h.starts_at < f.lo),
        '[]'::json)
) AS instance
FROM fmt f
