-- Cross-tenant security events the API logged since the watch started, one row per route
-- (details->>'route', else details->>'path', else the event type), oldest first.
-- Every name qualified: the session is pinned (cutover.pg.pinned) and trusts no search_path.
SELECT COALESCE(details OPERATOR(pg_catalog.->>) 'route',
                details OPERATOR(pg_catalog.->>) 'path', event_type) AS route,
       pg_catalog.count(*) AS events
  FROM core.security_events
 WHERE event_type OPERATOR(pg_catalog.=) ANY (%(types)s)
   AND created_at OPERATOR(pg_catalog.>=) %(since)s
 GROUP BY 1
 ORDER BY pg_catalog.min(created_at), 1
