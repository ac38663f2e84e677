-- Sessions holding or waiting for the migration runner's advisory lock: a migration is
-- running (or about to), so the database is not the one that was judged.
SELECT a.pid, a.usename::text, a.application_name, l.granted
  FROM pg_catalog.pg_locks l
  JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory'
   AND ((l.classid::bigint << 32) | l.objid::bigint) = %(key)s
 ORDER BY a.pid;
