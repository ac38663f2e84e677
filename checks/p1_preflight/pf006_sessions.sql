-- Sessions that would make the migrations queue or time out: transactions open longer
-- than the limit, sessions idle in a transaction, and lock requests not granted.
SELECT 'pid ' || a.pid || ' (' || a.usename || '@' || coalesce(a.application_name, '') || ')'
           AS object,
       CASE WHEN a.state IN ('idle in transaction', 'idle in transaction (aborted)')
            THEN 'idle in transaction for '
            ELSE 'transaction open for ' END
       || date_trunc('second', now() - a.xact_start)::text AS detail
  FROM pg_stat_activity a
 WHERE a.pid <> pg_backend_pid()
   AND a.xact_start IS NOT NULL
   AND a.backend_type = 'client backend'
   AND (a.state IN ('idle in transaction', 'idle in transaction (aborted)')
        OR now() - a.xact_start > make_interval(secs => %(max_seconds)s))
UNION ALL
SELECT 'pid ' || l.pid || ' waits for ' || l.mode || ' on ' || l.relation::regclass::text,
       'lock not granted'
  FROM pg_locks l
 WHERE NOT l.granted AND l.relation IS NOT NULL
 ORDER BY 1, 2
