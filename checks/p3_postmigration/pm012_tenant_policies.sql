-- Permissive policies are OR-ed: one loose policy for the api role opens the table.
-- A table with no policy for the role at all is listed too (it would see nothing, which
-- hides a missing policy rather than proving one).
WITH tt AS (SELECT * FROM /*include:_tenant_tables*/ x),
     expected AS (SELECT '(tenant_id = current_setting(''app.tenant_id''::text, true))' AS e),
     pol AS (
    SELECT format('%I.%I', p.schemaname, p.tablename) AS tname, p.policyname, p.cmd,
           p.qual, coalesce(p.with_check, p.qual) AS wcheck, p.permissive
      FROM pg_policies p
     WHERE p.roles && ARRAY['solvereign_api', 'public']::name[])
SELECT tt.name AS object, 'no policy applies to solvereign_api' AS detail
  FROM tt WHERE NOT EXISTS (SELECT 1 FROM pol WHERE pol.tname = tt.name)
UNION ALL
SELECT pol.tname || ' policy ' || pol.policyname,
       pol.cmd || ' USING ' || coalesce(pol.qual, '-') || ' WITH CHECK ' || coalesce(pol.wcheck, '-')
  FROM pol JOIN tt ON tt.name = pol.tname, expected
 WHERE pol.permissive = 'PERMISSIVE'
   AND ((pol.cmd <> 'INSERT' AND pol.qual IS DISTINCT FROM expected.e)
        OR (pol.cmd IN ('ALL', 'INSERT', 'UPDATE') AND pol.wcheck IS DISTINCT FROM expected.e))
ORDER BY 1, 2
