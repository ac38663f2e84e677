-- Advisory (splinter's unindexed_foreign_keys): without an index leading with its columns,
-- every DELETE or key UPDATE on the referenced table scans the referencing table, holding
-- its locks meanwhile. Partial indexes do not count (the check must find every row).
SELECT format('%I.%I', n.nspname, c.relname) || ' ' || co.conname AS object,
       '(' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.o)
                 FROM unnest(co.conkey) WITH ORDINALITY k(attnum, o)
                 JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum)
       || ') references ' || co.confrelid::regclass::text
       || ' with no index leading with these columns: a parent DELETE scans this table' AS detail
  FROM pg_constraint co
  JOIN pg_class c ON c.oid = co.conrelid
  JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace
 WHERE co.contype = 'f'
   AND NOT EXISTS (
       SELECT 1 FROM pg_index i
        WHERE i.indrelid = co.conrelid AND i.indpred IS NULL
          AND (SELECT array_agg(k ORDER BY k) FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(k, o)
                WHERE o <= cardinality(co.conkey))
              = (SELECT array_agg(k ORDER BY k) FROM unnest(co.conkey) k))
 ORDER BY 1
