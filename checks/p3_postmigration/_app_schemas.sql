-- (documentation) The scope rule every check inlines (include:_app_schemas): every
-- schema that is not PostgreSQL's own is an application schema. A fixed list of "our"
-- schemas is a blind spot (a copy of a tenant table, a view or a partition in a new schema
-- would go unseen); PM-002 holds the result against the reviewed list.
-- cutover/gate/aclscan.sql carries the same WHERE clause (tests/gate keep them equal).
SELECT oid, nspname FROM pg_namespace
 WHERE nspname NOT IN ('pg_catalog', 'information_schema')
   AND nspname !~ '^pg_(toast|temp_[0-9]+|toast_temp_[0-9]+)$'
