-- One tenant's week as the interchange instance of docs/artifacts.md, built in one read-only
-- query under the tenant's RLS context (app.tenant_id is set by the caller's transaction).
-- Times are rendered with their offset in the session time zone, which the caller sets
-- to the tenant's (to_char of a timestamptz uses the session's TimeZone).
-- History: the duties of the `history_weeks` local weeks before the week (R14's reference
-- period needs 16), and how many of those weeks each driver's record really covers: from
-- the local week of the driver's earliest recorded duty on (never padded: a driver recorded
-- for three weeks says 3, one never recorded 0); the instance's `history_weeks` is the
-- largest of them. Every history lookup is an index range scan on duty_history_driver_idx
-- (tenant_id, driver_id, starts_at) per active driver.
WITH params AS (
    SELECT %(tenant)s::text AS tenant, %(week_start)s::date AS week_start,
           %(timezone)s::text AS tz, %(history_weeks)s::int AS history_weeks
), bounds AS (
    SELECT tenant, week_start, tz, history_weeks,
           (week_start::timestamp AT TIME ZONE tz) AS lo,
           ((week_start + 7)::timestamp AT TIME ZONE tz) AS hi,
           ((week_start - 7 * history_weeks)::timestamp AT TIME ZONE tz) AS history_lo
      FROM params
), fmt AS (
    SELECT b.*, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM' AS pattern FROM bounds b
), recorded AS (
    SELECT d.id, d.code, d.tenant_id,
           -- (least() ignores NULLs: a driver without any record must say 0, not the cap)
           CASE WHEN first.starts_at IS NULL THEN 0
                ELSE least(f.history_weeks,
                           (f.week_start
                            - date_trunc('week', first.starts_at AT TIME ZONE f.tz)::date) / 7)
           END AS weeks
      FROM fmt f
      JOIN roster.drivers d ON d.tenant_id = f.tenant AND d.is_active
      LEFT JOIN LATERAL (
          SELECT h.starts_at FROM roster.duty_history h
           WHERE h.tenant_id = d.tenant_id AND h.driver_id = d.id AND h.starts_at < f.lo
           ORDER BY h.starts_at LIMIT 1) first ON true
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
                          AND u.ends_at > f.lo AND u.starts_at < f.hi), '[]'::json),
                   'history_weeks', r.weeks)
               ORDER BY d.code)
          FROM roster.drivers d
          JOIN recorded r ON r.id = d.id
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
                   'driver', r.code,
                   'start', to_char(h.starts_at, f.pattern),
                   'end', to_char(h.ends_at, f.pattern),
                   'drive_minutes', h.drive_minutes)
               ORDER BY r.code, h.starts_at, h.id)
          FROM recorded r
          JOIN roster.duty_history h ON h.tenant_id = r.tenant_id AND h.driver_id = r.id
         -- a duty that began the day before the first week and ran into it counts there
         WHERE h.starts_at >= f.history_lo - interval '1 day' AND h.ends_at > f.history_lo
           AND h.starts_at < f.lo),
        '[]'::json),
    'history_weeks', coalesce((SELECT max(r.weeks) FROM recorded r), 0)
) AS instance
FROM fmt f
