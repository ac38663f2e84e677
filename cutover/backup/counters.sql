-- Per-table insert/update/delete counters: while writes are frozen they must not move.
-- (Cumulative statistics: callers clear the stats snapshot first and read outside a
-- transaction, or stats_fetch_consistency would hand back cached numbers.)
SELECT s.relid::regclass::text AS name, s.n_tup_ins, s.n_tup_upd, s.n_tup_del
  FROM pg_catalog.pg_stat_user_tables s
 ORDER BY 1;
