-- A trigger on a tenant table runs its function on every write of every tenant; a SECURITY
-- DEFINER trigger function runs with its owner's rights, outside the writer's RLS context,
-- where it can read or copy other tenants' rows. Trigger functions on tenant tables run as
-- the caller.
SELECT t.name || ' trigger ' || tg.tgname AS object,
       'runs SECURITY DEFINER ' || p.oid::regprocedure::text || ' as ' || pg_get_userbyid(p.proowner)
       || CASE tg.tgenabled WHEN 'D' THEN ' (disabled)' ELSE '' END AS detail
  FROM (SELECT * FROM /*include:_tenant_tables*/ tt
        UNION SELECT 'core.tenants'::regclass::oid, 'core.tenants') t
  JOIN pg_trigger tg ON tg.tgrelid = t.oid AND NOT tg.tgisinternal
  JOIN pg_proc p ON p.oid = tg.tgfoid
 WHERE p.prosecdef
 ORDER BY 1
