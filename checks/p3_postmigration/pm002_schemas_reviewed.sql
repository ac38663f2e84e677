-- Every check already judges every application schema; this one says which schemas nobody
-- reviewed: a schema that is not on checks/allowlist/schemas.toml is itself a finding.
SELECT n.nspname AS object,
       'not on the reviewed list (owner ' || pg_get_userbyid(ns.nspowner) || ')' AS detail
  FROM /*include:_app_schemas*/ n JOIN pg_namespace ns ON ns.oid = n.oid
 WHERE n.nspname NOT IN (SELECT name FROM /*allowlist:schemas*/ r)
 ORDER BY 1
