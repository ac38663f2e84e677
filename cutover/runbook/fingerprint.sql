-- A fingerprint of the schema as the gate judges it: relations and columns, constraints,
-- policies, function definitions and every ACL of the application schemas. Names and
-- definitions only, no data and no OIDs, so two databases built the same way agree.
SELECT md5(string_agg(line, E'\n' ORDER BY line)) AS fingerprint, count(*) AS items
FROM (
    SELECT format('rel %I.%I %s %s %s %s', n.nspname, c.relname, c.relkind,
                  c.relrowsecurity, c.relforcerowsecurity, coalesce(c.relacl::text, '')) AS line
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('core', 'roster', 'routing', 'public', 'meta')
    UNION ALL
    SELECT format('col %I.%I.%I %s %s', n.nspname, c.relname, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull)
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('core', 'roster', 'routing') AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT format('con %s %s %s', co.conrelid::regclass, co.conname, pg_get_constraintdef(co.oid))
      FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
     WHERE n.nspname IN ('core', 'roster', 'routing')
    UNION ALL
    SELECT format('pol %s.%s %s %s %s %s', schemaname, tablename, policyname, roles::text,
                  coalesce(qual, ''), coalesce(with_check, ''))
      FROM pg_policies WHERE schemaname IN ('core', 'roster', 'routing')
    UNION ALL
    SELECT format('fn %s %s %s %s', p.oid::regprocedure, p.prosecdef,
                  coalesce(p.proconfig::text, ''), md5(p.prosrc))
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname IN ('core', 'roster', 'routing', 'public')
) lines
