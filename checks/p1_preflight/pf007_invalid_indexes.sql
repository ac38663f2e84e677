-- Invalid indexes: left by a failed CREATE INDEX CONCURRENTLY; IF NOT EXISTS skips them.
SELECT format('%I.%I', n.nspname, c.relname) AS object,
       format('invalid index on %s', i.indrelid::regclass) AS detail
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT i.indisvalid
 ORDER BY 1
