-- Transactions that had not committed in the witness snapshot (xid >= its xmax, or in its
-- xip, or running now: running_xids.sql) and have committed or still run now. xids are
-- cluster-wide: autovacuum's ANALYZE and other databases of the server take them too, so
-- each one is only a suspect until a table of this database is found holding its row
-- versions (slipped_writes.py).
SELECT c.xid, pg_catalog.pg_xact_status(c.xid::text::xid8) AS status
  FROM (SELECT pg_catalog.generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS xid
        UNION
        SELECT pg_catalog.unnest(%(extra)s::bigint[])) AS c
 WHERE pg_catalog.pg_xact_status(c.xid::text::xid8) IN ('committed', 'in progress')
 ORDER BY 1;
