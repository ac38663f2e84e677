-- Publications outside the reviewed list: they stream table rows to whoever subscribes
-- (RLS does not apply to logical replication). pg_publication is readable by every role.
SELECT 'publication ' || p.pubname AS object,
       CASE WHEN p.puballtables THEN 'FOR ALL TABLES'
            ELSE coalesce((SELECT 'tables ' || string_agg(format('%I.%I', pt.schemaname, pt.tablename), ', '
                                                          ORDER BY pt.schemaname, pt.tablename)
                             FROM pg_publication_tables pt WHERE pt.pubname = p.pubname), 'no tables yet') END
       || ' (owner ' || pg_get_userbyid(p.pubowner) || ')' AS detail
  FROM pg_publication p
 WHERE p.pubname NOT IN (SELECT name FROM /*allowlist:publications*/ r)
 ORDER BY 1
