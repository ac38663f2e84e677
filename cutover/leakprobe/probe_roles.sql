-- Every other role in the cluster: the active probe tries SET ROLE to each (predefined pg_*
-- roles, owners, the backup role, groups); the api role may become none of them.
SELECT r.rolname FROM pg_catalog.pg_roles r
 WHERE r.rolname <> current_user
 ORDER BY 1
