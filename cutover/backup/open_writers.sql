-- Transactions of %(xids)s still running here and holding a write lock on a relation of this
-- database: pg_locks, unlike pg_stat_activity, shows every role's sessions to any role, so
-- an open writer is named even without pg_read_all_stats. Each transaction holds an
-- ExclusiveLock on its own xid; its writes hold RowExclusiveLock (or stronger) on the tables.
SELECT x.pid, x.transactionid::text::bigint AS xid,
       string_agg(DISTINCT l.relation::regclass::text, ', ') AS relations
  FROM pg_catalog.pg_locks x
  JOIN pg_catalog.pg_locks l ON l.pid = x.pid AND l.locktype = 'relation' AND l.granted
                            AND l.mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock',
                                           'ExclusiveLock', 'AccessExclusiveLock')
 WHERE x.locktype = 'transactionid' AND x.mode = 'ExclusiveLock' AND x.granted
   AND x.transactionid::text::bigint = ANY (%(xids)s::bigint[])
   AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
                      WHERE d.datname = pg_catalog.current_database())
 GROUP BY x.pid, x.transactionid::text::bigint
 ORDER BY x.pid;
