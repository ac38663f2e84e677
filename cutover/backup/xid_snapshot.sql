-- The transaction-ID horizon of the snapshot this statement reads (under REPEATABLE READ,
-- the whole transaction's): a transaction whose xid is >= xmax, or listed in xip, had not
-- committed when the snapshot was taken. Every change to a table's rows (insert, update,
-- delete, truncate, copy, row lock) stamps the writer's xid, so "no such transaction has
-- committed since" means "no row changed since". xid8 values: no wraparound to handle.
SELECT pg_catalog.pg_snapshot_xmin(s)::text::bigint AS xmin,
       pg_catalog.pg_snapshot_xmax(s)::text::bigint AS xmax,
       ARRAY(SELECT x::text::bigint FROM pg_catalog.pg_snapshot_xip(s) AS x ORDER BY 1) AS xip
  FROM pg_catalog.pg_current_snapshot() AS s;
