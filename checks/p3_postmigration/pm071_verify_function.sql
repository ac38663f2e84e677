-- The verifier as the catalog holds it, and who applied the migration that last defined it.
-- Parameter: version (text): that migration's version (test_pm071 finds it in the series).
-- Its owner can CREATE OR REPLACE it, so the owner must be that role or a role it acts as
-- (the migrator creates objects as the owner role). No row: the function was dropped.
WITH applied AS (
    SELECT l.applied_by FROM meta.migration_ledger l
     WHERE l.version = %(version)s AND l.success ORDER BY l.id DESC LIMIT 1
)
SELECT p.prosrc, p.prosecdef, pg_catalog.pg_get_userbyid(p.proowner), p.proconfig,
       a.applied_by,
       pg_catalog.pg_has_role(a.applied_by, p.proowner, 'MEMBER') AS owner_is_appliers
  FROM pg_catalog.pg_proc p
  LEFT JOIN applied a ON true
 WHERE p.proname = 'verify_final_hardening' AND p.pronargs = 0
   AND p.pronamespace = 'public'::pg_catalog.regnamespace;
