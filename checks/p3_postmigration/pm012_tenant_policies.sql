-- Permissive policies are OR-ed: one loose policy for the api role opens the table.
-- A table with no policy for the role at all is listed too (it would see nothing, which
-- hides a missing policy rather than proving one).
-- A policy applies to its roles' members (pg_policies.roles names roles, not members): a
-- policy TO a group the api role belongs to, directly or through other groups, is judged
-- as one TO the api role, and so is a policy TO PUBLIC.
WITH tt AS (SELECT * FROM /*include:_tenant_tables*/ x),
     expected AS (SELECT '(tenant_id = current_setting(''app.tenant_id''::text, true))' AS e),
     pol AS (
    SELECT format('%I.%I', p.schemaname, p.tablename) AS tname, p.policyname, p.cmd,
           p.qual, coalesce(p.with_check, p.qual) AS wcheck, p.permissive,
           (SELECT string_agg(r, ', ' ORDER BY r) FROM unnest(p.roles) r
             WHERE r NOT IN ('solvereign_api', 'public')
               AND pg_has_role('solvereign_api', r, 'MEMBER')) AS groups
      FROM pg_policies p
     WHERE EXISTS (SELECT 1 FROM unnest(p.roles) r
                    WHERE r = 'public' OR pg_has_role('solvereign_api', r, 'MEMBER')))
SELECT tt.name AS object, 'no policy applies to solvereign_api' AS detail
  FROM tt WHERE NOT EXISTS (SELECT 1 FROM pol WHERE pol.tname = tt.name)
UNION ALL
SELECT pol.tname || ' policy ' || pol.policyname,
       pol.cmd || ' USING ' || coalesce(pol.qual, '-') || ' WITH CHECK ' || coalesce(pol.wcheck, '-')
       || coalesce(' (TO ' || pol.groups || ': solvereign_api is a member)', '')
  FROM pol JOIN tt ON tt.name = pol.tname, expected
 WHERE pol.permissive = 'PERMISSIVE'
   AND ((pol.cmd <> 'INSERT' AND pol.qual IS DISTINCT FROM expected.e)
        OR (pol.cmd IN ('ALL', 'INSERT', 'UPDATE') AND pol.wcheck IS DISTINCT FROM expected.e))
ORDER BY 1, 2
