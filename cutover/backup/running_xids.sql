-- Every transaction ID still running in the cluster (each transaction, and each
-- subtransaction, holds an ExclusiveLock on its own xid; pg_locks shows every role's locks
-- to any role). A snapshot's xmax is the last completed xid + 1, so a transaction that took
-- its xid after that and still runs is in no snapshot's xip: only here. 32-bit xids.
SELECT DISTINCT l.transactionid::text::bigint AS xid
  FROM pg_catalog.pg_locks l
 WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted
 ORDER BY 1;
