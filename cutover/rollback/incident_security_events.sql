-- core.security_events rows of the incident window, oldest first (captured before the
-- restore replaces the database that holds them). Qualified names: a pinned session.
SELECT id, created_at::text, event_type, severity, tenant_id, db_user, details::text
  FROM core.security_events
 WHERE created_at OPERATOR(pg_catalog.>=) %(since)s
 ORDER BY created_at, id
 LIMIT 10000
