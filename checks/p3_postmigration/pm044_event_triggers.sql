-- An event trigger runs its function on every DDL command of every role, superusers and
-- migrations included: whoever controls the function controls every later migration.
-- Only a reviewed one (checks/allowlist/event_triggers.toml) may exist, whoever may
-- execute its function (one that PUBLIC cannot execute is no safer: it still fires).
SELECT e.evtname AS object,
       'on ' || e.evtevent || ' runs ' || e.evtfoid::regprocedure::text || ' (owner '
       || pg_get_userbyid(e.evtowner) || ', '
       || CASE e.evtenabled WHEN 'D' THEN 'disabled' ELSE 'enabled' END || ')' AS detail
  FROM pg_event_trigger e
 WHERE e.evtname NOT IN (SELECT name FROM /*allowlist:event_triggers*/ r)
 ORDER BY 1
