-- pg_temp is the classic hijack path for definer functions; a NULL datacl is the built-in
-- default, which grants TEMP and CONNECT to PUBLIC.
SELECT datname AS object,
       CASE WHEN datacl IS NULL THEN 'built-in default: PUBLIC has TEMPORARY'
            ELSE 'PUBLIC has TEMPORARY or CREATE' END AS detail
  FROM pg_database
 WHERE datname = current_database()
   AND (datacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(datacl) a WHERE a.grantee = 0
                                     AND a.privilege_type IN ('TEMPORARY', 'CREATE')))
 ORDER BY 1
