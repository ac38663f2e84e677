-- (documentation) Every role the runtime roles (api, platform) reach through pg_auth_members,
-- directly or through groups, with the shortest path as text ('solvereign_api -> g -> x'):
-- a member inherits its groups' privileges (or can SET ROLE to them), and a policy TO a
-- group applies to every member. Checks inline it with the include marker.
-- PostgreSQL refuses circular memberships; the depth bound only keeps a damaged catalog
-- from looping. Used with query parameters: keep this file free of percent signs.
SELECT DISTINCT ON (w.runtime, w.roleid)
       w.runtime, w.runtime_name, w.roleid, pg_catalog.pg_get_userbyid(w.roleid) AS rolname,
       pg_catalog.array_to_string(w.path, ' -> ') AS path
  FROM (WITH RECURSIVE walk(runtime, runtime_name, roleid, path, depth) AS (
            SELECT r.oid, r.rolname::text, r.oid, ARRAY[r.rolname::text], 0
              FROM pg_catalog.pg_roles r
             WHERE r.rolname IN ('solvereign_api', 'solvereign_platform')
            UNION ALL
            SELECT w.runtime, w.runtime_name, m.roleid,
                   w.path || pg_catalog.pg_get_userbyid(m.roleid)::text, w.depth + 1
              FROM walk w JOIN pg_catalog.pg_auth_members m ON m.member = w.roleid
             WHERE w.depth < 32)
        SELECT * FROM walk WHERE depth > 0) w
 ORDER BY w.runtime, w.roleid, pg_catalog.array_length(w.path, 1), w.path
