-- A publication streams table rows to whoever subscribes (RLS does not apply to logical
-- replication); a subscription writes rows into tables as its owner. Neither belongs in the
-- platform's database unless reviewed (checks/allowlist/publications.toml).
SELECT 'publication ' || p.pubname AS object,
       CASE WHEN p.puballtables THEN 'FOR ALL TABLES'
            ELSE coalesce((SELECT 'tables ' || string_agg(format('%I.%I', pt.schemaname, pt.tablename), ', '
                                                          ORDER BY pt.schemaname, pt.tablename)
                             FROM pg_publication_tables pt WHERE pt.pubname = p.pubname), 'no tables yet') END
       || ' (owner ' || pg_get_userbyid(p.pubowner) || ')' AS detail
  FROM pg_publication p
 WHERE p.pubname NOT IN (SELECT name FROM /*allowlist:publications*/ r)
UNION ALL
SELECT 'subscription ' || s.subname, 'writes replicated rows as ' || pg_get_userbyid(s.subowner)
  FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid
 WHERE d.datname = current_database()
   AND s.subname NOT IN (SELECT name FROM /*allowlist:publications*/ r)
 ORDER BY 1
