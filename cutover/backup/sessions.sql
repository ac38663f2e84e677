-- Other client sessions of this database: how long each has been idle (a backend flushes its
-- pending write counters at most PGSTAT_IDLE_INTERVAL = 10 s after its last transaction) and
-- whether it holds a transaction ID (an open write transaction). clock_timestamp(), not now():
-- the reading connection's transaction may have started earlier.
SELECT a.pid, a.usename, a.application_name, a.state,
       a.backend_xid IS NOT NULL AS writing,
       extract(epoch FROM pg_catalog.clock_timestamp() - a.state_change)::float8 AS idle_seconds
  FROM pg_catalog.pg_stat_activity a
 WHERE a.datname = pg_catalog.current_database()
   AND a.backend_type = 'client backend'
   AND a.pid <> pg_catalog.pg_backend_pid()
   -- our own sessions (and pg_dump's) carry this run's unguessable application_name
   AND a.application_name IS DISTINCT FROM %(tag)s
 ORDER BY a.pid;
