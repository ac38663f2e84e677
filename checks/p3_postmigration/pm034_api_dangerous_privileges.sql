-- TRUNCATE and foreign-key checks ignore RLS: one TRUNCATE empties every tenant, a
-- REFERENCES grant probes keys across tenants, TRIGGER runs the api's code on every write.
-- MAINTAIN (PostgreSQL 17+, granted on a table or through pg_maintain) ignores RLS too:
-- LOCK TABLE, VACUUM FULL, CLUSTER and REINDEX take locks that stall every tenant; it is
-- asked only where it exists (has_table_privilege rejects the name before 17).
-- Every table of the application schemas counts, global ones (core.tenants) included.
WITH privs AS (
    SELECT u.p, u.i
      FROM unnest(ARRAY['TRUNCATE', 'REFERENCES', 'TRIGGER']
                  || CASE WHEN current_setting('server_version_num')::int >= 170000
                          THEN ARRAY['MAINTAIN'] ELSE ARRAY[]::text[] END)
           WITH ORDINALITY AS u(p, i))
SELECT format('%I.%I', n.nspname, c.relname) AS object,
       string_agg(pr.p, ', ' ORDER BY pr.i) AS detail
  FROM pg_class c JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace
 CROSS JOIN privs pr
 WHERE c.relkind IN ('r', 'p')
   AND has_table_privilege('solvereign_api', c.oid, pr.p)
 GROUP BY n.nspname, c.relname
 ORDER BY 1
