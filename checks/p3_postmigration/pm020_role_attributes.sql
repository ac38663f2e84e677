SELECT rolname AS object,
       concat_ws(' ', CASE WHEN rolsuper THEN 'SUPERUSER' END,
                      CASE WHEN rolbypassrls THEN 'BYPASSRLS' END,
                      CASE WHEN rolcreaterole THEN 'CREATEROLE' END,
                      CASE WHEN rolcreatedb THEN 'CREATEDB' END,
                      CASE WHEN rolreplication THEN 'REPLICATION' END) AS detail
  FROM pg_roles
 WHERE rolname IN ('solvereign_api', 'solvereign_platform')
   AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)
 ORDER BY 1
