-- Every relation the probing role can read in every non-system schema (tables, partitions,
-- views, materialized views, foreign tables), with whether it has a readable tenant_id
-- column and which columns it can read. Run as the probing role itself.
SELECT c.oid::bigint AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
       coalesce(bool_or(a.attname = 'tenant_id'
                        AND has_column_privilege(c.oid, a.attnum, 'SELECT')), false)
         AS tenant_column,
       coalesce(array_agg(a.attname::text ORDER BY a.attnum)
                  FILTER (WHERE has_column_privilege(c.oid, a.attnum, 'SELECT')),
                '{}') AS columns
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
   AND has_schema_privilege(n.oid, 'USAGE')
   AND has_any_column_privilege(c.oid, 'SELECT')
 GROUP BY c.oid, n.nspname, c.relname, c.relkind
 ORDER BY 2, 3
