-- Per-table insert/update/delete counters: while writes are frozen they must not move.
-- (Cumulative statistics: callers clear the stats snapshot first and read outside a
-- transaction, or stats_fetch_consistency would hand back cached numbers.) Other sessions'
-- temporary tables are theirs, never dumped: left out.
SELECT s.relid::regclass::text AS name, s.n_tup_ins, s.n_tup_upd, s.n_tup_del
  FROM pg_catalog.pg_stat_user_tables s
 WHERE s.schemaname NOT LIKE 'pg\_temp\_%'
 ORDER BY 1;
