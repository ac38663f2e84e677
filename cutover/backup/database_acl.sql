-- The database's effective privileges, one row per grant (a NULL ACL spelled out with
-- acldefault), so a rollback can give the restored database exactly these grants.
SELECT pg_catalog.pg_get_userbyid(a.grantor) AS grantor,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END
           AS grantee,
       a.privilege_type, a.is_grantable
  FROM pg_catalog.pg_database d,
       LATERAL pg_catalog.aclexplode(coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))) a
 WHERE d.datname = pg_catalog.current_database()
 ORDER BY 2, 3, 1;
