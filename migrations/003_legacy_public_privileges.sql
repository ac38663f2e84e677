-- 003_legacy_public_privileges.sql — PUBLIC privileges as they stood on the production
-- database, which was created on PostgreSQL 11 and pg_upgrade'd to 16.
--
-- pg_upgrade keeps the old ACL of schema "public": before PostgreSQL 15 every role could
-- CREATE there, and the upgrade did not take that away. The pre-cutover database also keeps
-- the built-in database defaults (PUBLIC may CONNECT and create TEMP tables). This file
-- reproduces that state on a fresh database so the sandbox matches production; it is made
-- explicit here instead of being left implicit so the hardening series has something to
-- revoke and the catalogue shows where it came from.
--
-- WEAKNESS W01: CREATE on schema public for PUBLIC (pre-PG15 upgrade leftover): any login
--   role can plant functions/operators that hijack definer functions without a fixed
--   search_path, or tables with foreign keys probing other tenants' keys (fix: 025f)
-- WEAKNESS W02: TEMPORARY on the database for PUBLIC (built-in default): pg_temp is a
--   schema every role can write, the classic SECURITY DEFINER hijack path (fix: 025f)

SET LOCAL ROLE solvereign_owner;

-- solvereign_owner owns the database and therefore acts for pg_database_owner, which owns
-- schema public on PostgreSQL >= 15.
GRANT CREATE ON SCHEMA public TO PUBLIC;

DO $db$
BEGIN
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database());
END
$db$;
