-- Advisory (splinter's multiple_permissive_policies): PostgreSQL ORs every permissive policy
-- that applies to a role and command, evaluating each per row. Several for one role, command
-- and table cost per row and are easy to widen by accident (one loose policy opens all).
-- A policy applies to the roles whose privileges include the ones it names (has_privs_of_role,
-- i.e. pg_has_role USAGE) and to everyone when it names PUBLIC.
WITH cmd(c, priv) AS (VALUES ('r', 'SELECT'), ('a', 'INSERT'), ('w', 'UPDATE'), ('d', 'DELETE')),
rl AS (SELECT oid, rolname FROM pg_roles
        WHERE NOT rolsuper AND NOT rolbypassrls AND rolname !~ '^pg_')
SELECT format('%I.%I', n.nspname, c.relname) || ' ' || cmd.priv || ' for ' || rl.rolname AS object,
       count(*) || ' permissive policies: '
       || string_agg(quote_ident(p.polname), ', ' ORDER BY p.polname) AS detail
  FROM pg_policy p
  JOIN pg_class c ON c.oid = p.polrelid
  JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace
  JOIN cmd ON p.polcmd IN (cmd.c, '*')
  CROSS JOIN rl
 WHERE p.polpermissive
   AND has_table_privilege(rl.oid, c.oid, cmd.priv)
   AND EXISTS (SELECT 1 FROM unnest(p.polroles) r
                WHERE r = 0 OR pg_has_role(rl.oid, r, 'USAGE'))
 GROUP BY n.nspname, c.relname, cmd.priv, rl.rolname
HAVING count(*) > 1
 ORDER BY 1
