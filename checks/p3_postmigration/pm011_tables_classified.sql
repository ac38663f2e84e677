-- A table without tenant_id that nobody declared global is a table nobody reviewed; a table
-- WITH tenant_id is a tenant table, and a GLOBAL: comment on it is a label nobody may trust
-- (only the reviewed list can make it global, and only while the api role cannot reach it).
WITH t AS (
    SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name,
           coalesce(obj_description(c.oid, 'pg_class'), '') LIKE 'GLOBAL: %' AS labelled_global,
           EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                      AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS has_tenant_id
      FROM pg_class c JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p')
), j AS (
    SELECT t.*, t.name IN (SELECT name FROM /*allowlist:global_tables*/ g) AS reviewed_global,
           has_table_privilege('solvereign_api', t.oid,
                               'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege('solvereign_api', t.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
           OR has_table_privilege('public', t.oid,
                                  'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege('public', t.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
               AS reachable
      FROM t
)
SELECT name AS object,
       CASE WHEN NOT has_tenant_id THEN 'no tenant_id, not GLOBAL'
            WHEN NOT reviewed_global THEN 'has tenant_id but is labelled GLOBAL: a tenant table whatever its comment'
            ELSE 'reviewed global table with tenant_id is reachable by solvereign_api or PUBLIC' END AS detail
  FROM j
 WHERE (NOT has_tenant_id AND NOT labelled_global AND NOT reviewed_global)
    OR (has_tenant_id AND labelled_global AND NOT reviewed_global)
    OR (has_tenant_id AND reviewed_global AND reachable)
 ORDER BY 1
