-- A publication streams table rows to whoever subscribes (RLS does not apply to logical
-- replication); a subscription writes rows into tables as its owner. Neither belongs in the
-- platform's database unless reviewed (checks/allowlist/publications.toml).
-- pg_subscription is superuser-only on some managed services (Azure Flexible Server): the
-- check reads it only where the gate role may (pm092_subscriptions_readable.sql), else it
-- runs pm092_publications.sql alone and reports subscriptions as not verified.
SELECT object, detail FROM /*include:pm092_publications*/ AS pub
UNION ALL
SELECT 'subscription ' || s.subname, 'writes replicated rows as ' || pg_get_userbyid(s.subowner)
  FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid
 WHERE d.datname = current_database()
   AND s.subname NOT IN (SELECT name FROM /*allowlist:publications*/ r)
 ORDER BY 1
