-- ALTER DATABASE ... SET and ALTER ROLE ... IN DATABASE ... SET: tied to the database's OID,
-- so they do not follow a dump restored into a new database unless re-applied.
SELECT coalesce(pg_catalog.pg_get_userbyid(NULLIF(s.setrole, 0)), '') AS role, s.setconfig
  FROM pg_catalog.pg_db_role_setting s
 WHERE s.setdatabase = (SELECT oid FROM pg_catalog.pg_database
                         WHERE datname = pg_catalog.current_database())
 ORDER BY 1;
